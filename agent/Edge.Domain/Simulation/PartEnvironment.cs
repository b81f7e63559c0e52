namespace Edge.Domain.Simulation;

/// <summary>
/// What happened to a simulated part since it was calibrated, settable while it runs: the drifts field re-training
/// must absorb. The default is the part as it left calibration.
/// </summary>
public sealed record PartEnvironment
{
    /// <summary>Largest ambient shift accepted, in kelvin either way.</summary>
    public const double MaxAmbientKelvin = 1000;

    /// <summary>Largest ageing accepted (0.5: components moved by up to half their value).</summary>
    public const double MaxAgeing = 0.5;

    /// <summary>Smallest and largest readout gain accepted.</summary>
    public const double MinGain = 0.1;

    /// <summary>Largest readout gain accepted.</summary>
    public const double MaxGain = 10;

    /// <summary>Longest part id accepted for a swapped part.</summary>
    public const int MaxPartIdLength = 64;

    /// <summary>The part as calibrated: no shift, no ageing, unit gain, its own settling, its own components.</summary>
    public static PartEnvironment Calibrated { get; } = new();

    /// <summary>
    /// Ambient temperature relative to calibration, in kelvin (an enclosure in the sun, a cold night).
    /// </summary>
    public double AmbientKelvin { get; init; }

    /// <summary>
    /// Component ageing as a relative spread: each component value moves by this fraction times a fixed,
    /// part-specific standard-normal draw (0.02: a typical component moved by 2 %).
    /// </summary>
    public double Ageing { get; init; }

    /// <summary>Gain of the readout chain relative to calibration (an amplifier or reference that moved).</summary>
    public double Gain { get; init; } = 1;

    /// <summary>
    /// Idle time between drives in seconds, replacing the part's own <see cref="Imperfections.SettlingGapSeconds"/>
    /// (a player re-configured to a faster rate); null keeps the part's own.
    /// </summary>
    public double? SettlingGapSeconds { get; init; }

    /// <summary>
    /// A different part soldered in under the same device id: its component values are drawn for this id; null keeps
    /// the original part.
    /// </summary>
    public string? PartId { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first value out of range.</summary>
    public PartEnvironment Validate()
    {
        if (!double.IsFinite(AmbientKelvin) || Math.Abs(AmbientKelvin) > MaxAmbientKelvin)
        {
            throw Bad(nameof(AmbientKelvin), AmbientKelvin, $"a finite number of kelvin within ±{MaxAmbientKelvin}");
        }

        if (!double.IsFinite(Ageing) || Ageing is < 0 or > MaxAgeing)
        {
            throw Bad(nameof(Ageing), Ageing, $"a relative spread from 0 to {MaxAgeing}");
        }

        if (!double.IsFinite(Gain) || Gain is < MinGain or > MaxGain)
        {
            throw Bad(nameof(Gain), Gain, $"a readout gain from {MinGain} to {MaxGain}");
        }

        if (SettlingGapSeconds is { } gap && (double.IsNaN(gap) || gap < 0))
        {
            throw Bad(nameof(SettlingGapSeconds), gap, "zero or more seconds (infinity: every drive starts at rest)");
        }

        if (PartId is not null && (PartId.Length is 0 or > MaxPartIdLength || PartId.Any(char.IsControl)))
        {
            throw Bad(nameof(PartId), PartId, $"1-{MaxPartIdLength} printable characters");
        }

        return this;
    }

    /// <summary>A short description for logs: only what differs from calibration.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (AmbientKelvin != 0)
        {
            parts.Add(string.Create(culture, $"ambient {AmbientKelvin:+0.##;-0.##} K"));
        }

        if (Ageing != 0)
        {
            parts.Add(string.Create(culture, $"ageing {Ageing:0.###}"));
        }

        if (Gain != 1)
        {
            parts.Add(string.Create(culture, $"gain {Gain:0.###}"));
        }

        if (SettlingGapSeconds is { } gap)
        {
            parts.Add(string.Create(culture, $"settling gap {gap:G4} s"));
        }

        if (PartId is not null)
        {
            parts.Add($"part '{PartId}'");
        }

        return parts.Count == 0 ? "as calibrated" : string.Join(", ", parts);
    }

    private static ArgumentOutOfRangeException Bad(string name, object value, string expected) =>
        new(name, value, $"Part environment '{name}' must be {expected}; got {value}.");
}
