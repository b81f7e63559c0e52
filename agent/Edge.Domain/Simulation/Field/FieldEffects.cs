namespace Edge.Domain.Simulation.Field;

/// <summary>
/// Effects of a part in the field that its gray-box twin's equations do not contain: converter non-linearity, a
/// slew-limited or clipping driver, neighbouring shaper pixels bleeding into each other, a coil that heats with the
/// power it is driven with, a detector that saturates and a gain that wanders with 1/f statistics. Every value 0
/// switches its effect off. Static effects are fixed by the part id; the 1/f wander is drawn from the part's seed.
/// The values each system uses, with their sources, are in <see cref="FieldProfiles"/>.
/// </summary>
public sealed record FieldEffects
{
    /// <summary>No field effect at all (the lab profile's part).</summary>
    public static FieldEffects None { get; } = new();

    /// <summary>Peak integral non-linearity of the DAC, in LSB: a part-specific bow and ripple.</summary>
    public double DacInlLsb { get; init; }

    /// <summary>
    /// Largest change of the driver's output within one drive segment, in DAC units
    /// (slew rate × segment time ÷ gain); the physics sees the segment's mean level of the ramp.
    /// </summary>
    public double SlewPerSegment { get; init; }

    /// <summary>Level, in DAC units, at which the power amplifier clips (a soft, fourth-order knee).</summary>
    public double DriveClipLevel { get; init; }

    /// <summary>
    /// Fraction of each neighbouring shaper channel's drive that leaks into a channel (liquid-crystal fringing
    /// fields); applies in the order the channels sit on the spectrum.
    /// </summary>
    public double PixelCrosstalk { get; init; }

    /// <summary>
    /// The drive segment each shaper channel plays, in the order the channels sit on the spectrum, for
    /// <see cref="PixelCrosstalk"/>; null means the segments sit in drive order.
    /// </summary>
    public IReadOnlyList<int>? ChannelSegments { get; init; }

    /// <summary>
    /// Temperature rise, in kelvin, of a part driven continuously at mean-square drive 1 (full scale): the power it
    /// dissipates heats it and every temperature coefficient follows.
    /// </summary>
    public double SelfHeatingKelvin { get; init; }

    /// <summary>Thermal time constant of <see cref="SelfHeatingKelvin"/>, in drives.</summary>
    public double SelfHeatingDrives { get; init; }

    /// <summary>
    /// Level, in ADC units, at which the detector's response has fallen to half of linear:
    /// y → y / (1 + |y| / level).
    /// </summary>
    public double DetectorSaturation { get; init; }

    /// <summary>Rms of a readout-gain wander with a 1/f spectrum from 10 to 10 000 drives (0.01 = 1 %).</summary>
    public double FlickerGainRms { get; init; }

    /// <summary>Peak integral non-linearity of the ADC, in LSB: a part-specific bow and ripple.</summary>
    public double AdcInlLsb { get; init; }

    /// <summary>Peak differential non-linearity of the ADC, in LSB (a part-specific 64-code pattern).</summary>
    public double AdcDnlLsb { get; init; }

    /// <summary>
    /// Plate modes above the twin's five (0 to <see cref="MaxExtraPlateModes"/>): a thin plate's modes keep coming at a
    /// constant density, so the band the microphone hears holds more of them than the twin was written with.
    /// </summary>
    public int ExtraPlateModes { get; init; }

    /// <summary>
    /// Fraction by which the voice coil's force factor Bl has fallen at <see cref="CoilXmaxMm"/> from its rest
    /// position (Bl(x) = Bl·(1 − drop·((x − x₀)² − x₀²)/Xmax²), x₀ a part-specific coil offset).
    /// </summary>
    public double ForceFactorDrop { get; init; }

    /// <summary>Coil excursion, in millimetres, at which Bl has fallen by <see cref="ForceFactorDrop"/>.</summary>
    public double CoilXmaxMm { get; init; }

    /// <summary>
    /// The microphone capsule's diaphragm resonance, in Hz (a second-order low-pass with quality factor
    /// <see cref="MicResonanceQ"/>, 0 = an ideal flat microphone).
    /// </summary>
    public double MicResonanceHz { get; init; }

    /// <summary>Quality factor of <see cref="MicResonanceHz"/>.</summary>
    public double MicResonanceQ { get; init; }

    /// <summary>Rms timing error of each ADC sample instant, in nanoseconds (white, from the part's seed).</summary>
    public double SampleJitterNs { get; init; }

    /// <summary>Whether the part's physics itself differs from its twin's equations (not only its drive or
    /// readout chain).</summary>
    public bool ChangesPhysics
        => ExtraPlateModes > 0 || ForceFactorDrop > 0 || MicResonanceHz > 0 || SampleJitterNs > 0;

    /// <summary>Most plate modes above the twin's that <see cref="ExtraPlateModes"/> may add.</summary>
    public const int MaxExtraPlateModes = 8;

    /// <summary>Whether any effect is on.</summary>
    public bool Any => this != None;

    /// <summary>Checks every value and names the first bad one.</summary>
    public FieldEffects Validate()
    {
        Check(nameof(DacInlLsb), DacInlLsb, 1e3);
        Check(nameof(SlewPerSegment), SlewPerSegment, 1e6);
        Check(nameof(DriveClipLevel), DriveClipLevel, 1e6);
        Check(nameof(PixelCrosstalk), PixelCrosstalk, 0.25);
        Check(nameof(SelfHeatingKelvin), SelfHeatingKelvin, 1e3);
        Check(nameof(SelfHeatingDrives), SelfHeatingDrives, 1e9);
        Check(nameof(DetectorSaturation), DetectorSaturation, 1e9);
        Check(nameof(FlickerGainRms), FlickerGainRms, 0.5);
        Check(nameof(AdcInlLsb), AdcInlLsb, 1e3);
        Check(nameof(AdcDnlLsb), AdcDnlLsb, 1e3);
        Check(nameof(ExtraPlateModes), ExtraPlateModes, MaxExtraPlateModes);
        Check(nameof(ForceFactorDrop), ForceFactorDrop, 0.9);
        Check(nameof(CoilXmaxMm), CoilXmaxMm, 100);
        Check(nameof(MicResonanceHz), MicResonanceHz, 1e6);
        Check(nameof(MicResonanceQ), MicResonanceQ, 1e3);
        Check(nameof(SampleJitterNs), SampleJitterNs, 1e6);
        Require(ForceFactorDrop <= 0 || CoilXmaxMm > 0, nameof(CoilXmaxMm), CoilXmaxMm, "positive when Bl(x) is on");
        Require(MicResonanceHz <= 0 || MicResonanceQ >= 0.1, nameof(MicResonanceQ), MicResonanceQ,
            "at least 0.1 when the microphone resonance is on");
        if (SelfHeatingKelvin > 0 && SelfHeatingDrives < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(SelfHeatingDrives),
                SelfHeatingDrives,
                $"Field effect '{nameof(SelfHeatingDrives)}' must be at least 1 drive when self-heating is on.");
        }

        return this;

        static void Require(bool holds, string name, double value, string rule)
        {
            if (!holds)
            {
                throw new ArgumentOutOfRangeException(
                    name, value, $"Field effect '{name}' must be {rule}; got {value}.");
            }
        }

        static void Check(string name, double value, double max)
        {
            if (!double.IsFinite(value) || value < 0 || value > max)
            {
                throw new ArgumentOutOfRangeException(
                    name, value, $"Field effect '{name}' must be a finite value from 0 to {max}; got {value}.");
            }
        }
    }
}
