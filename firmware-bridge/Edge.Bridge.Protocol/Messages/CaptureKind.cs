namespace Edge.Bridge.Protocol;

/// <summary>What the values of a CaptureResult are.</summary>
public enum CaptureKind
{
    /// <summary>Mean ADC code of each bin, left-justified to 16 bits (mean · 2^(16 − adcBits)) to keep the
    /// fraction.</summary>
    Binned = 0,

    /// <summary>Raw ADC codes, one per sample.</summary>
    Raw = 1,
}
