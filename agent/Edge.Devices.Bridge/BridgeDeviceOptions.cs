namespace Edge.Devices.Bridge;

/// <summary>How the agent talks to its bridge.</summary>
public sealed record BridgeDeviceOptions
{
    /// <summary>DAC output of the bridge that plays the drive.</summary>
    public int DriveChannel { get; init; }

    /// <summary>ADC input of the bridge that reads the response.</summary>
    public int CaptureChannel { get; init; }

    /// <summary>
    /// Largest payload the agent accepts (64 … 4096); the smaller of both sides' limits is used. Requests stay smaller
    /// on a lossy line: the agent packs fewer drives into one when it measures loss (down to 128 bytes).
    /// </summary>
    public int MaxPayload { get; init; } = 1024;

    /// <summary>
    /// Line rate (8N1) the link times its frames by: a frame's retransmission timer starts when its last byte has left
    /// the line. For a serial port it is also the port's rate; for the emulator over TCP, the rate it emulates.
    /// </summary>
    public int BaudRate { get; init; } = 921_600;

    /// <summary>Retransmission timeout (beyond the frame's airtime) until the first round trip is measured.</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Lower bound of the measured retransmission timeout (RFC 6298 SRTT + 4 RTTVAR): a loaded Linux host stalls for
    /// tens of milliseconds now and then, and nacks repair most losses at once, so the timer is only the backstop.
    /// </summary>
    public TimeSpan MinRetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Upper bound of the retransmission timeout, exponential backoff included.</summary>
    public TimeSpan MaxRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Retransmissions of one frame before the link gives up and the device reconnects. 20 rides out a second of
    /// stall on either side (a loaded Pi, a busy USB-serial adapter) and bursts of 1 % byte loss.
    /// </summary>
    public int RetryLimit { get; init; } = 20;

    /// <summary>
    /// Highest retry limit the link raises itself to on a lossy line (see <see cref="RetryLimit"/>): the agent
    /// measures the line's loss and raises the limit until an unlucky frame fails less than once in a million. 100
    /// carries a 1 % byte-loss line; a dead or hung bridge is still found by <see cref="SilenceTimeout"/>.
    /// </summary>
    public int MaxRetryLimit { get; init; } = 100;

    /// <summary>
    /// A heartbeat goes to the bridge when nothing else was sent for this long, so its silence watchdog (1 s) does not
    /// park the DAC while the agent is merely idle.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Nothing received from the bridge for this long (it heartbeats every 250 ms when idle) means it is unplugged,
    /// off or hung: the session ends and the device reconnects.
    /// </summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// While a forward waits on the bridge, silence beyond the playback of its pending captures plus this long means
    /// the bridge is hung: the forward fails and the device reconnects. The retry limit no longer notices a hang soon
    /// (retransmissions back off: 20 of them span ≈ 16 s) and <see cref="SilenceTimeout"/> is sized for idle links;
    /// 1 s rides out a stalled host or USB-serial adapter.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before the first reconnection attempt; doubled after each failed one.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Send window (frames in flight).</summary>
    public int WindowSize { get; init; } = 8;

    /// <summary>
    /// Drives packed into one PlayAndCapture request, played back to back with <see cref="RestSegments"/> at the safe
    /// code between them. 1 (the default) sends each drive alone, so every drive starts after the bridge's idle rest;
    /// more amortise the frame overhead (see docs/benchmarks.md) at the price of shorter rests inside a request.
    /// </summary>
    public int DrivesPerRequest { get; init; } = 1;

    /// <summary>Requests outstanding at once; the bridge queues at most 8 (PROTOCOL.md, section 4), so 1 … 8.</summary>
    public int MaxOutstandingRequests { get; init; } = 4;

    /// <summary>Segments at the safe code between packed drives; their samples must fill whole bins.</summary>
    public int RestSegments { get; init; }

    /// <summary>Time allowed for the bridge to answer Hello.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Time allowed per capture beyond the drive's own duration.</summary>
    public TimeSpan CaptureSlack { get; init; } = TimeSpan.FromSeconds(2);
}
