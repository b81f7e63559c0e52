namespace Edge.Domain.Messaging;

/// <summary>Published on <c>errors</c> when an agent rejects a message: names the topic and the problem.</summary>
public sealed record ErrorMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The reporting agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The topic the rejected message arrived on.</summary>
    public required string Topic { get; init; }

    /// <summary>What was wrong, in words.</summary>
    public required string Problem { get; init; }

    /// <summary>When the message was rejected.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The rejected message's MQTT 5 correlation data (hex), when it had any.</summary>
    public string? CorrelationData { get; init; }
}
