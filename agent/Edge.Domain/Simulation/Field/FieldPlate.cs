using Edge.Domain.Physics;
using static Edge.Domain.Simulation.Mechanical.SpeakerDrivenPlate;

namespace Edge.Domain.Simulation.Field;

/// <summary>
/// The plate a field part really is: the twin's <see cref="Mechanical.SpeakerDrivenPlate"/> (its 29 coefficients,
/// its 13 states first) plus what the twin's equations leave out: plate modes above its five, a force factor that
/// falls with the coil's excursion, Bl(x), and the microphone capsule's own resonance before the preamp's band-pass.
/// The extra modes' frequencies are fixed ratios to the twin's fifth mode, so part spread, temperature and ageing
/// move them with it. Forward only (<see cref="IOdeDynamics"/>).
/// </summary>
public readonly struct FieldPlate : IOdeDynamics
{
    private const int TwinStates = (2 * ModeCount) + 3;
    private const int FilterState = MicOutput - 1;
    private const double MetresPerMillimetre = 1e-3;
    private const double AccelerationPerNewtonPerGram = 1e3;
    private const double MillimetresPerMicrometre = 1e-3;
    private const ulong PlateStream = 0x91A7_E5E0_DE55_2026UL;

    private readonly double[] _ratio;
    private readonly double[] _quality;
    private readonly double[] _participation;
    private readonly double[] _radiation;
    private readonly double _blCurvature;
    private readonly double _coilOffsetMm;
    private readonly double _micOmega;
    private readonly double _micQuality;
    private readonly int _micState;

    private FieldPlate(double[] ratio, double[] quality, double[] participation, double[] radiation,
        double blCurvature, double coilOffsetMm, double micOmega, double micQuality)
    {
        _ratio = ratio;
        _quality = quality;
        _participation = participation;
        _radiation = radiation;
        _blCurvature = blCurvature;
        _coilOffsetMm = coilOffsetMm;
        _micOmega = micOmega;
        _micQuality = micQuality;
        _micState = TwinStates + (2 * ratio.Length);
        StateSize = _micState + (micOmega > 0 ? 2 : 0);
    }

    /// <inheritdoc />
    public int StateSize { get; }

    /// <summary>Plate modes above the twin's five.</summary>
    public int ExtraModes => _ratio.Length;

    /// <summary>
    /// The plate of part <paramref name="deviceId"/> with <paramref name="effects"/>: the extra modes sit one mean
    /// mode spacing of the twin's modes (600 Hz) apart above its fifth (±5 %), with quality factors around 40
    /// (±15 %) and coil participation and radiation of 0.2–0.4 of the first mode's, signs drawn; the coil's rest
    /// offset lies within ±10 % of Xmax. All fixed by the part id.
    /// </summary>
    public static FieldPlate ForPart(FieldEffects effects, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        effects.Validate();
        const double FifthModeHz = 2720;
        const double ModeSpacingHz = 600;
        var part = new NoiseSource(NoiseSource.HashId(deviceId) ^ PlateStream);
        var count = effects.ExtraPlateModes;
        double[] ratio = new double[count], quality = new double[count];
        double[] participation = new double[count], radiation = new double[count];
        for (var e = 0; e < count; e++)
        {
            ratio[e] = (FifthModeHz + (ModeSpacingHz * (e + 1) * (1 + (0.05 * part.NextGaussian())))) / FifthModeHz;
            quality[e] = 40 * (1 + (0.15 * part.NextGaussian()));
            participation[e] = part.NextUniform(0.2, 0.4) * (part.NextDouble() < 0.5 ? -1 : 1);
            radiation[e] = part.NextUniform(0.2, 0.4) * (part.NextDouble() < 0.5 ? -1 : 1);
        }

        var curvature = effects.ForceFactorDrop > 0
            ? effects.ForceFactorDrop / (effects.CoilXmaxMm * effects.CoilXmaxMm)
            : 0;
        var offset = effects.ForceFactorDrop > 0 ? part.NextUniform(-0.1, 0.1) * effects.CoilXmaxMm : 0;
        return new FieldPlate(ratio, quality, participation, radiation, curvature, offset,
            RadPerMsPerHz * effects.MicResonanceHz, effects.MicResonanceQ);
    }

    /// <summary>The force factor at coil excursion <paramref name="excursionMm"/>, as a fraction of rest Bl.</summary>
    public double ForceFactorRatio(double excursionMm)
    {
        var fromRest = excursionMm - _coilOffsetMm;
        return 1 - (_blCurvature * ((fromRest * fromRest) - (_coilOffsetMm * _coilOffsetMm)));
    }

    /// <inheritdoc />
    public void Derivative(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double u, Span<double> derivative)
    {
        var current = x[Current];
        var (coilDisplacement, coilVelocity, radiated) = ModalSums(c, x);

        for (var e = 0; e < _ratio.Length; e++)
        {
            var s = TwinStates + (2 * e);
            coilDisplacement += _participation[e] * x[s];
            coilVelocity += _participation[e] * x[s + 1];
            radiated += _radiation[e] * x[s + 1];
        }

        var w = coilDisplacement * MillimetresPerMicrometre;
        var forceFactor = c[ForceFactor] * ForceFactorRatio(w);
        derivative[Current] = ((c[Gain] * u) - (c[Resistance] * current)
            - (forceFactor * MetresPerMillimetre * coilVelocity)) / c[Inductance];

        var force = (forceFactor * current) - (c[CubicStiffness] * w * w * w);
        var acceleration = AccelerationPerNewtonPerGram * force / c[MovingMass];
        for (var k = 0; k < ModeCount; k++)
        {
            var baseIndex = k * ModeCoefficients;
            Mode(x, derivative, 1 + (2 * k), RadPerMsPerHz * c[baseIndex + Frequency], c[baseIndex + Quality],
                c[baseIndex + Participation] * acceleration);
        }

        var topMode = RadPerMsPerHz * c[ModeCoefficient(ModeCount - 1, Frequency)];
        for (var e = 0; e < _ratio.Length; e++)
        {
            Mode(x, derivative, TwinStates + (2 * e), topMode * _ratio[e], _quality[e],
                _participation[e] * acceleration);
        }

        var heard = c[MicSensitivity] * MetresPerMillimetre * radiated;
        if (_micOmega > 0)
        {
            // The capsule's diaphragm: a mass-spring resonator driven by the pressure, unity gain at low frequency.
            var membrane = x[_micState];
            var membraneRate = x[_micState + 1];
            derivative[_micState] = membraneRate;
            derivative[_micState + 1] = (_micOmega * _micOmega * (heard - membrane))
                - (_micOmega / _micQuality * membraneRate);
            heard = membrane;
        }

        var omegaLow = RadPerMsPerHz * c[HighPassHz];
        var omegaHigh = RadPerMsPerHz * c[LowPassHz];
        var z1 = x[FilterState];
        var z2 = x[MicOutput];
        derivative[FilterState] = z2;
        derivative[MicOutput] = ((omegaHigh - omegaLow) * (heard - z2)) - (omegaLow * omegaHigh * z1);
    }

    /// <inheritdoc />
    public double Observe(ReadOnlySpan<double> c, ReadOnlySpan<double> x) => x[MicOutput] * x[MicOutput];

    private static void Mode(ReadOnlySpan<double> x, Span<double> derivative, int s, double omega, double quality,
        double drive)
    {
        derivative[s] = x[s + 1];
        derivative[s + 1] = drive - (omega / quality * x[s + 1]) - (omega * omega * x[s]);
    }
}
