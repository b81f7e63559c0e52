namespace Edge.Bridge.Firmware;

/// <summary>What the board can do and how the firmware behaves; reported to the host in HelloAck.</summary>
public sealed class FirmwareSettings
{
    /// <summary>Fastest sample rate the sequencer promises to hold.</summary>
    public int MaxSampleRateHz { get; set; } = 1_000_000;

    /// <summary>Samples one capture may hold.</summary>
    public int BufferSamples { get; set; } = 16_384;

    /// <summary>Largest payload the firmware accepts (64 … 4096).</summary>
    public int MaxPayload { get; set; } = 1024;

    /// <summary>DAC code every output rests at until the host sets another with SetSafe.</summary>
    public int SafeCode { get; set; }

    /// <summary>Silence from the host, in milliseconds, after which the DAC outputs go to their safe codes.</summary>
    public int WatchdogTimeoutMs { get; set; } = 1000;

    /// <summary>Heartbeat interval of the device's link (0 = none).</summary>
    public int HeartbeatIntervalMs { get; set; } = 250;

    /// <summary>UART line rate (8N1); the link's retransmission timers start when a frame has left the line.</summary>
    public int BaudRate { get; set; }

    /// <summary>Link retransmission timeout until the first round trip is measured (beyond the frame's
    /// airtime).</summary>
    public int RetransmitTimeoutMs { get; set; } = 50;

    /// <summary>
    /// Retransmissions before the device gives its link up (then it makes the outputs safe and waits for a new Hello).
    /// With timeouts doubling from ≥ 20 ms, 20 tolerates a host that stalls for seconds (a Linux host can: GC, swap,
    /// load).
    /// </summary>
    public int RetryLimit { get; set; } = 20;

    /// <summary>Send window of the device's link.</summary>
    public int WindowSize { get; set; } = 8;
}
