namespace Edge.Bridge.Protocol;

/// <summary>Application-level failure codes carried by an Error message (unknown codes decode as their
/// number).</summary>
public enum BridgeErrorCode
{
    /// <summary>The request is well-formed but not executable (channel out of range, rate too high, too many
    /// samples).</summary>
    InvalidRequest = 1,

    /// <summary>The request needs a capability the device lacks.</summary>
    Unsupported = 2,

    /// <summary>Samples were lost (ADC overrun, DMA underflow).</summary>
    Overrun = 3,

    /// <summary>A hardware fault; the device drove its outputs to the safe value.</summary>
    HardwareFault = 4,
}
