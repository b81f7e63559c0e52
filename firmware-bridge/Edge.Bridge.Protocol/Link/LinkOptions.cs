namespace Edge.Bridge.Protocol;

/// <summary>Tuning of a <see cref="ReliableLink"/>; both ends should use the same window.</summary>
public sealed class LinkOptions
{
    /// <summary>Largest window a link accepts.</summary>
    public const int MaxWindowSize = 32;

    /// <summary>Reliable frames in flight (unacknowledged) at most; also the receiver's reorder capacity.</summary>
    public int WindowSize { get; set; } = 4;

    /// <summary>
    /// Retransmission timeout before the first round trip was measured, counted from the moment the frame's last byte
    /// leaves the line (its airtime at <see cref="BaudRate"/>); afterwards the measured round trip sets it.
    /// </summary>
    public int RetransmitTimeoutMs { get; set; } = 50;

    /// <summary>Lower bound of the measured retransmission timeout (beyond the frame's airtime).</summary>
    public int MinRetransmitTimeoutMs { get; set; } = 20;

    /// <summary>Upper bound of the retransmission timeout, backoff included (beyond the frame's airtime).</summary>
    public int MaxRetransmitTimeoutMs { get; set; } = 2000;

    /// <summary>
    /// Line rate of the UART (8N1: 10 bit times per byte), used to compute when each frame has left the line; 0 when
    /// the line is not rate-limited (frames leave at once).
    /// </summary>
    public int BaudRate { get; set; }

    /// <summary>Retransmissions allowed per frame after its first transmission before the link fails.</summary>
    public int RetryLimit { get; set; } = 5;

    /// <summary>Payload limit (the negotiated one once Hello/HelloAck are done).</summary>
    public int MaxPayload { get; set; } = FrameCodec.DefaultMaxPayload;

    /// <summary>Sequence number of the first reliable frame; pick it at random per session so stale frames of an old
    /// session are not taken as current.</summary>
    public ushort InitialSequence { get; set; }

    /// <summary>A heartbeat is sent when nothing was sent for this long; 0 disables heartbeats.</summary>
    public int HeartbeatIntervalMs { get; set; }
}
