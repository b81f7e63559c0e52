namespace Edge.Agent.Configuration;

/// <summary>How the agent reaches its ESP32 bridge, bound from <c>Edge:Device:Bridge</c>.</summary>
public sealed class BridgeBackendOptions
{
    /// <summary>Serial port of the bridge (e.g. <c>/dev/ttyUSB0</c>, or one end of a socat pty pair); empty when <see cref="Tcp"/> is used.</summary>
    public string Port { get; set; } = "/dev/ttyUSB0";

    /// <summary>Line rate of the serial port.</summary>
    public int BaudRate { get; set; } = 921_600;

    /// <summary><c>host:port</c> of a bridge emulator listening on TCP; takes precedence over <see cref="Port"/>.</summary>
    public string Tcp { get; set; } = "";

    /// <summary>Bridge DAC output that plays the drive.</summary>
    public int DriveChannel { get; set; }

    /// <summary>Bridge ADC input that reads the response.</summary>
    public int CaptureChannel { get; set; }

    /// <summary>Drives packed into one request (1 = each drive alone, after the bridge's idle rest).</summary>
    public int DrivesPerRequest { get; set; } = 1;

    /// <summary>Segments at the safe code between packed drives (must fill whole bins).</summary>
    public int RestSegments { get; set; }
}
