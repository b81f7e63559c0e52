namespace Edge.Agent.Configuration;

/// <summary>How the agent reaches its ESP32 bridge, bound from <c>Edge:Device:Bridge</c>.</summary>
public sealed class BridgeBackendOptions
{
    /// <summary>Serial port of the bridge (e.g. <c>/dev/ttyUSB0</c>, or one end of a socat pty pair); empty when <see
    /// cref="Tcp"/> is used.</summary>
    public string Port { get; set; } = "/dev/ttyUSB0";

    /// <summary>Line rate of the serial port.</summary>
    public int BaudRate { get; set; } = 921_600;

    /// <summary><c>host:port</c> of a bridge emulator listening on TCP; takes precedence over <see
    /// cref="Port"/>.</summary>
    public string Tcp { get; set; } = "";

    /// <summary>Bridge DAC output that plays the drive.</summary>
    public int DriveChannel { get; set; }

    /// <summary>Bridge ADC input that reads the response.</summary>
    public int CaptureChannel { get; set; }

    /// <summary>Drives packed into one request (1 = each drive alone, after the bridge's idle rest).</summary>
    public int DrivesPerRequest { get; set; } = 1;

    /// <summary>Segments at the safe code between packed drives (must fill whole bins).</summary>
    public int RestSegments { get; set; }

    /// <summary>
    /// Largest payload the agent accepts (64 … 4096); the smaller of both sides' limits is used. Smaller frames
    /// survive a noisy line better (at 1 % byte loss a 1 KB frame almost never arrives intact).
    /// </summary>
    public int MaxPayload { get; set; } = 1024;

    /// <summary>Retransmission timeout in ms (beyond the frame's airtime) until a round trip is measured.</summary>
    public int RetransmitTimeoutMs { get; set; } = 50;

    /// <summary>Lower bound in ms of the measured retransmission timeout (RFC 6298 SRTT + 4 RTTVAR).</summary>
    public int MinRetransmitTimeoutMs { get; set; } = 50;

    /// <summary>Upper bound in ms of the retransmission timeout, exponential backoff included.</summary>
    public int MaxRetransmitTimeoutMs { get; set; } = 1000;

    /// <summary>Retransmissions of one frame before the link is declared failed and the agent reconnects.</summary>
    public int RetryLimit { get; set; } = 20;

    /// <summary>
    /// Highest retry limit the link raises itself to when it measures a lossy line (at least <see cref="RetryLimit"/>).
    /// </summary>
    public int MaxRetryLimit { get; set; } = 100;

    /// <summary>Heartbeat to the bridge after this many idle ms, so its 1 s watchdog does not park the DAC.</summary>
    public int HeartbeatIntervalMs { get; set; } = 250;

    /// <summary>Silence from the bridge (ms) after which it counts as unplugged or hung and is reconnected.</summary>
    public int SilenceTimeoutMs { get; set; } = 3000;

    /// <summary>
    /// Silence (ms) beyond the playback of the captures a forward waits for after which the bridge counts as hung.
    /// </summary>
    public int StallTimeoutMs { get; set; } = 1000;

    /// <summary>First wait (ms) before reconnecting; doubled after each failed attempt up to the maximum.</summary>
    public int ReconnectDelayMs { get; set; } = 200;

    /// <summary>Longest wait (ms) between reconnection attempts.</summary>
    public int MaxReconnectDelayMs { get; set; } = 5000;
}
