using Edge.Domain.Specs;

namespace Edge.Agent.Supervision;

/// <summary>
/// Judges one device call by its responses alone. A drive whose output bins are all identical came from identical
/// codes (each bin averages the same samples the same way), which a converting ADC on a moving signal never gives;
/// a drive whose bins all sit within half an LSB of a rail saw only rail codes. A call is suspect when every drive in
/// it is: one flat or clipped drive among others is a signal, not a fault.
/// </summary>
public static class ResponseCheck
{
    /// <summary>
    /// <see cref="DeviceFault.AdcSaturated"/> or <see cref="DeviceFault.AdcStuck"/> when every drive's response in
    /// <paramref name="responses"/> (<see cref="LayerSpec.OutputSize"/> values per drive) shows it, else
    /// <see cref="DeviceFault.None"/>.
    /// </summary>
    public static DeviceFault Inspect(LayerSpec spec, ReadOnlySpan<float> responses)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var bins = spec.OutputSize;
        if (responses.Length == 0 || responses.Length % bins != 0)
        {
            return DeviceFault.None;
        }

        var halfLsb = (spec.Adc.Max - spec.Adc.Min) / (1L << spec.Adc.Bits) / 2;
        var saturated = true;
        var stuck = true;
        for (var start = 0; start < responses.Length && (saturated || stuck); start += bins)
        {
            var drive = responses.Slice(start, bins);
            saturated &= AtRail(drive, spec.Adc.Min, halfLsb) || AtRail(drive, spec.Adc.Max, halfLsb);
            stuck &= Flat(drive);
        }

        return saturated ? DeviceFault.AdcSaturated : stuck ? DeviceFault.AdcStuck : DeviceFault.None;
    }

    private static bool AtRail(ReadOnlySpan<float> drive, double rail, double halfLsb)
    {
        foreach (var value in drive)
        {
            if (!(Math.Abs(value - rail) <= halfLsb))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Flat(ReadOnlySpan<float> drive)
    {
        if (drive.Length < 2)
        {
            return false;
        }

        foreach (var value in drive)
        {
            if (value != drive[0])
            {
                return false;
            }
        }

        return true;
    }
}
