namespace Edge.Domain.Specs;

/// <summary>The digital-to-analog converter that plays a layer's drive waveform.</summary>
/// <param name="Min">Lowest output value, in the physics' drive units (volts for circuits).</param>
/// <param name="Max">Highest output value (the rail).</param>
/// <param name="Bits">Resolution: the range is split into 2^Bits − 1 steps.</param>
/// <param name="SampleRateHz">Update rate of the converter.</param>
/// <param name="SamplesPerSegment">Converter samples that one drive segment is held for.</param>
public sealed record DacSpec(double Min, double Max, int Bits, double SampleRateHz, int SamplesPerSegment)
{
    /// <summary>Duration of one drive segment in seconds.</summary>
    public double SegmentSeconds => SamplesPerSegment / SampleRateHz;

    /// <summary>Converts <paramref name="value"/> as the converter does: clip to the rails, then round to the nearest
    /// code.</summary>
    public double Quantise(double value) => Quantiser.Quantise(value, Min, Max, Bits);
}

/// <summary>The analog-to-digital converter that reads a layer's response.</summary>
/// <param name="Min">Lowest readable value, in the physics' output units.</param>
/// <param name="Max">Highest readable value.</param>
/// <param name="Bits">Resolution: the range is split into 2^Bits − 1 steps.</param>
/// <param name="SampleRateHz">Conversion rate.</param>
/// <param name="Bins">Number of consecutive time (or spectral) bins the samples are averaged into: the layer output
/// size.</param>
public sealed record AdcSpec(double Min, double Max, int Bits, double SampleRateHz, int Bins)
{
    /// <summary>Converts <paramref name="value"/> as the converter does: clip to the range, then round to the nearest
    /// code.</summary>
    public double Quantise(double value) => Quantiser.Quantise(value, Min, Max, Bits);
}

/// <summary>Uniform mid-tread quantisation with saturation, shared by every converter model.</summary>
public static class Quantiser
{
    /// <summary>Clips <paramref name="value"/> to [<paramref name="min"/>, <paramref name="max"/>] and rounds it to one
    /// of 2^bits codes.</summary>
    public static double Quantise(double value, double min, double max, int bits)
        => min + (Code(value, min, max, bits) * ((max - min) / ((1L << bits) - 1)));

    /// <summary>
    /// The converter code (0 … 2^bits − 1) that <paramref name="value"/> in [<paramref name="min"/>, <paramref
    /// name="max"/>]
    /// maps to: clipped to the range and rounded to the nearest code; NaN gives code 0. Hardware backends write this
    /// code to their DAC, so they play exactly what the simulated converter plays.
    /// </summary>
    public static long Code(double value, double min, double max, int bits)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        var clipped = Math.Clamp(value, min, max);
        var steps = (1L << bits) - 1;
        return (long)Math.Round((clipped - min) / ((max - min) / steps));
    }
}
