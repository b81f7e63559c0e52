namespace Edge.Devices.Bridge;

/// <summary>How the agent talks to its bridge.</summary>
public sealed class BridgeDeviceOptions
{
    /// <summary>DAC output of the bridge that plays the drive.</summary>
    public int DriveChannel { get; init; }

    /// <summary>ADC input of the bridge that reads the response.</summary>
    public int CaptureChannel { get; init; }

    /// <summary>Largest payload the agent accepts (64 … 4096); the smaller of both sides' limits is used.</summary>
    public int MaxPayload { get; init; } = 1024;

    /// <summary>Link retransmission timeout: must exceed the round trip of the longest frame at the line rate.</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Retransmissions before the link gives up. 20 × 50 ms rides out a second of stall on either side (a loaded Pi,
    /// a busy USB-serial adapter) instead of failing the layer.
    /// </summary>
    public int RetryLimit { get; init; } = 20;

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
