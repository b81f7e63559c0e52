namespace Edge.Bridge.Protocol;

/// <summary>Capability bits exchanged in Hello (host) and HelloAck (device).</summary>
[System.Flags]
public enum Capabilities
{
    /// <summary>Nothing optional.</summary>
    None = 0,

    /// <summary>Raw (unbinned) capture results.</summary>
    RawCapture = 0x01,

    /// <summary>Binned capture results (bin means computed on the device).</summary>
    BinnedCapture = 0x02,

    /// <summary>Periodic heartbeats.</summary>
    Heartbeat = 0x04,
}
