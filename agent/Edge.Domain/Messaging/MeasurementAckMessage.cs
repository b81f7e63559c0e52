namespace Edge.Domain.Messaging;

/// <summary>
/// The trainer's end-to-end acknowledgement on <c>edge/v1/{deviceId}/measurements/ack</c>: the batches named here
/// (by the <c>msg-id</c> user property they were published with) are committed to the trainer's store, so the agent
/// may delete them from its outbox. Sent for redelivered batches too (their measurements were stored earlier).
/// </summary>
public sealed record MeasurementAckMessage : IControlMessage
{
    /// <summary>Most batch ids in one acknowledgement; a larger group is split into several messages.</summary>
    public const int MaxBatchIds = 1024;

    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The device whose batches are acknowledged (the device of the topic).</summary>
    public required string DeviceId { get; init; }

    /// <summary>The stored batches' <c>msg-id</c>s.</summary>
    public required IReadOnlyList<Guid> BatchIds { get; init; }

    /// <summary>When the store commit that holds them finished.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
