namespace Edge.Devices.Emulation;

/// <summary>A fault injected into an emulated ADC: what its conversions return while it lasts.</summary>
public enum ConverterFault
{
    /// <summary>The chip converts its input.</summary>
    None,

    /// <summary>
    /// Every conversion returns the code of the last good one (a frozen converter or sample-and-hold).
    /// </summary>
    Stuck,

    /// <summary>Every conversion returns the positive full-scale code (an input shorted to the rail).</summary>
    Saturated,
}
