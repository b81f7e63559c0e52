namespace Edge.Domain.Messaging;

/// <summary>An agent's answer to a <see cref="ModelOffer"/>, on <c>model/ack</c>.</summary>
public sealed record ModelAckMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The offer answered.</summary>
    public required Guid OfferId { get; init; }

    /// <summary>True when the package was installed.</summary>
    public required bool Accepted { get; init; }

    /// <summary>Why it was accepted or rejected.</summary>
    public required string Reason { get; init; }

    /// <summary>When the offer was answered.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
