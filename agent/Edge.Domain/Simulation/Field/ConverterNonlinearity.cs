namespace Edge.Domain.Simulation.Field;

/// <summary>
/// A converter's static, part-specific error: an integral non-linearity (a bow plus a three-period ripple, peak
/// <see cref="InlLsb"/>) and a differential pattern repeating every 64 codes (adjacent codes differ by up to
/// <see cref="DnlLsb"/>). Drawn once from the part; the same code always has the same error.
/// </summary>
public sealed class ConverterNonlinearity
{
    private const int PatternCodes = 64;
    private readonly double _bow;
    private readonly double _ripple;
    private readonly double _phase;
    private readonly double[] _pattern = new double[PatternCodes];

    /// <summary>Draws a converter's error shape from <paramref name="part"/>.</summary>
    /// <param name="inlLsb">Peak integral non-linearity, in LSB.</param>
    /// <param name="dnlLsb">Peak differential non-linearity, in LSB.</param>
    /// <param name="part">The part's own stream (fixed by its id).</param>
    public ConverterNonlinearity(double inlLsb, double dnlLsb, NoiseSource part)
    {
        ArgumentNullException.ThrowIfNull(part);
        InlLsb = inlLsb;
        DnlLsb = dnlLsb;
        _bow = part.NextUniform(0.6, 1.0) * (part.NextDouble() < 0.5 ? -1 : 1);
        _ripple = part.NextUniform(0, 1 - Math.Abs(_bow));
        _phase = part.NextUniform(0, 2 * Math.PI);
        for (var i = 0; i < PatternCodes; i++)
        {
            _pattern[i] = part.NextUniform(-0.5, 0.5);
        }
    }

    /// <summary>Peak integral non-linearity, in LSB.</summary>
    public double InlLsb { get; }

    /// <summary>Peak differential non-linearity, in LSB.</summary>
    public double DnlLsb { get; }

    /// <summary>
    /// The ESP32's SAR ADC of part <paramref name="deviceId"/>: INL ±12 LSB, DNL ±7 LSB (ESP32 Series Datasheet, ADC
    /// characteristics), as <see cref="FieldProfiles.Electronic"/> reads it.
    /// </summary>
    public static ConverterNonlinearity Esp32Adc(string deviceId)
        => new(
            FieldProfiles.Electronic.AdcInlLsb,
            FieldProfiles.Electronic.AdcDnlLsb,
            new NoiseSource(NoiseSource.HashId(deviceId) ^ Esp32AdcStream));

    /// <summary>
    /// The error, in LSB, at <paramref name="position"/> of the range (−1 … 1) and output code
    /// <paramref name="code"/>.
    /// </summary>
    public double ErrorLsb(double position, int code)
    {
        var x = Math.Clamp(position, -1, 1);
        var inl = (_bow * (1 - (x * x))) + (_ripple * Math.Sin((3 * Math.PI * x) + _phase));
        return (InlLsb * inl) + (DnlLsb * _pattern[code & (PatternCodes - 1)]);
    }

    private const ulong Esp32AdcStream = 0xE5_3200_ADC0_2026UL;
}
