namespace Edge.Bridge.Protocol;

/// <summary>Tuning of a <see cref="ReliableLink"/>; both ends should use the same window.</summary>
public sealed class LinkOptions
{
    /// <summary>Largest window a link accepts.</summary>
    public const int MaxWindowSize = 32;

    /// <summary>Reliable frames in flight (unacknowledged) at most; also the receiver's reorder capacity.</summary>
    public int WindowSize { get; set; } = 4;

    /// <summary>Time after a transmission at which an unacknowledged frame is sent again.</summary>
    public int RetransmitTimeoutMs { get; set; } = 50;

    /// <summary>Retransmissions allowed per frame after its first transmission before the link fails.</summary>
    public int RetryLimit { get; set; } = 5;

    /// <summary>Payload limit (the negotiated one once Hello/HelloAck are done).</summary>
    public int MaxPayload { get; set; } = FrameCodec.DefaultMaxPayload;

    /// <summary>Sequence number of the first reliable frame; pick it at random per session so stale frames of an old session are not taken as current.</summary>
    public ushort InitialSequence { get; set; }

    /// <summary>A heartbeat is sent when nothing was sent for this long; 0 disables heartbeats.</summary>
    public int HeartbeatIntervalMs { get; set; }
}
