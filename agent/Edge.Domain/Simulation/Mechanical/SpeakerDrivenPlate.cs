using Edge.Domain.Physics;

namespace Edge.Domain.Simulation.Mechanical;

/// <summary>
/// A titanium plate glued to a speaker voice coil and heard by a microphone, as one ODE (time in milliseconds):
/// <code>
/// voice coil  L di/dt  = G u − R i − Bl v,             v = Σ φₖ q̇ₖ  (coil velocity)
/// plate mode  q̈ₖ       = φₖ F/m − (ωₖ/Qₖ) q̇ₖ − ωₖ² qₖ,  F = Bl i − k₃ w³,  w = Σ φₖ qₖ  (coil displacement)
/// microphone  p         = S Σ rₖ q̇ₖ
/// band-pass   z₁' = z₂,  z₂' = B (p − z₂) − ω₀² z₁,      B = ω_hi − ω_lo,  ω₀² = ω_lo ω_hi
/// observation y = z₂²   (instantaneous power of the band-passed mic signal; bins average it to short-time power)
/// </code>
/// State: i [A], then (qₖ [µm], q̇ₖ [mm/s]) per mode, then z₁ [V·ms], z₂ [V]. The cubic force at the coil point
/// (membrane stretching of the thin plate) couples every mode through the participation factors φₖ, as does the
/// back-EMF through the coil current. Coefficient layout: <see cref="ModeCoefficients"/> per mode, then the shared
/// ones.
/// </summary>
public readonly struct SpeakerDrivenPlate : IOdeSystem
{
    /// <summary>Number of plate modes.</summary>
    public const int ModeCount = 5;

    /// <summary>Coefficients per mode: frequency [Hz], quality factor, participation at the coil, radiation
    /// weight.</summary>
    public const int ModeCoefficients = 4;

    /// <summary>Offset of a mode's natural frequency, in Hz.</summary>
    public const int Frequency = 0;

    /// <summary>Offset of a mode's quality factor.</summary>
    public const int Quality = 1;

    /// <summary>Offset of a mode's participation factor φ at the coil attachment point.</summary>
    public const int Participation = 2;

    /// <summary>Offset of a mode's radiation weight r towards the microphone.</summary>
    public const int Radiation = 3;

    /// <summary>Index of the amplifier gain G, in volts per DAC unit.</summary>
    public const int Gain = ModeCount * ModeCoefficients;

    /// <summary>Index of the voice-coil resistance R, in ohms.</summary>
    public const int Resistance = Gain + 1;

    /// <summary>Index of the voice-coil inductance L, in millihenries.</summary>
    public const int Inductance = Gain + 2;

    /// <summary>Index of the force factor Bl, in tesla-metres.</summary>
    public const int ForceFactor = Gain + 3;

    /// <summary>Index of the moving (modal) mass m, in grams.</summary>
    public const int MovingMass = Gain + 4;

    /// <summary>Index of the cubic stiffness k₃ at the coil point, in newtons per cubic millimetre.</summary>
    public const int CubicStiffness = Gain + 5;

    /// <summary>Index of the microphone sensitivity S (mic and preamp), in volts per metre-per-second of radiating
    /// velocity.</summary>
    public const int MicSensitivity = Gain + 6;

    /// <summary>Index of the band-pass lower corner, in Hz.</summary>
    public const int HighPassHz = Gain + 7;

    /// <summary>Index of the band-pass upper corner, in Hz.</summary>
    public const int LowPassHz = Gain + 8;

    /// <summary>Total number of coefficients.</summary>
    public const int CoefficientCount = Gain + 9;

    /// <summary>Index of the coil current in the state.</summary>
    public const int Current = 0;

    /// <summary>Index of the band-pass output z₂ (the filtered mic voltage) in the state.</summary>
    public const int MicOutput = (2 * ModeCount) + 2;

    /// <summary>Converts Hz to rad/ms, the model's angular-frequency unit.</summary>
    public const double RadPerMsPerHz = 2 * Math.PI / 1000;

    private const int FilterState = (2 * ModeCount) + 1;

    // Unit bridges: velocity mm/s → m/s, force/mass N/g → µm/ms², displacement µm → mm.
    private const double MetresPerMillimetre = 1e-3;
    private const double AccelerationPerNewtonPerGram = 1e3;
    private const double MillimetresPerMicrometre = 1e-3;

    /// <inheritdoc />
    public int StateSize => (2 * ModeCount) + 3;

    /// <summary>Index of the coefficient at <paramref name="offset"/> of mode <paramref name="mode"/>.</summary>
    public static int ModeCoefficient(int mode, int offset) => (mode * ModeCoefficients) + offset;

    /// <summary>
    /// The twin's modes seen at the coil and by the microphone: the participation-weighted sums of the modal
    /// displacements and velocities, and the radiation-weighted sum of the velocities.
    /// </summary>
    internal static (double CoilDisplacement, double CoilVelocity, double Radiated) ModalSums(
        ReadOnlySpan<double> c, ReadOnlySpan<double> x)
    {
        var coilVelocity = 0.0;
        var coilDisplacement = 0.0;
        var radiated = 0.0;
        for (var k = 0; k < ModeCount; k++)
        {
            var phi = c[(k * ModeCoefficients) + Participation];
            coilDisplacement += phi * x[1 + (2 * k)];
            coilVelocity += phi * x[2 + (2 * k)];
            radiated += c[(k * ModeCoefficients) + Radiation] * x[2 + (2 * k)];
        }

        return (coilDisplacement, coilVelocity, radiated);
    }

    /// <inheritdoc />
    public void Derivative(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double u, Span<double> derivative)
    {
        var current = x[Current];
        var (coilDisplacement, coilVelocity, radiated) = ModalSums(c, x);

        var forceFactor = c[ForceFactor];
        derivative[Current] = ((c[Gain] * u) - (c[Resistance] * current)
            - (forceFactor * MetresPerMillimetre * coilVelocity)) / c[Inductance];

        var w = coilDisplacement * MillimetresPerMicrometre;
        var force = (forceFactor * current) - (c[CubicStiffness] * w * w * w);
        var acceleration = AccelerationPerNewtonPerGram * force / c[MovingMass];
        for (var k = 0; k < ModeCount; k++)
        {
            var baseIndex = k * ModeCoefficients;
            var omega = RadPerMsPerHz * c[baseIndex + Frequency];
            var q = x[1 + (2 * k)];
            var qDot = x[2 + (2 * k)];
            derivative[1 + (2 * k)] = qDot;
            derivative[2 + (2 * k)] = (c[baseIndex + Participation] * acceleration)
                - (omega / c[baseIndex + Quality] * qDot) - (omega * omega * q);
        }

        var omegaLow = RadPerMsPerHz * c[HighPassHz];
        var omegaHigh = RadPerMsPerHz * c[LowPassHz];
        var pressure = c[MicSensitivity] * MetresPerMillimetre * radiated;
        var z1 = x[FilterState];
        var z2 = x[MicOutput];
        derivative[FilterState] = z2;
        derivative[MicOutput] = ((omegaHigh - omegaLow) * (pressure - z2)) - (omegaLow * omegaHigh * z1);
    }

    /// <inheritdoc />
    public void DerivativeVjp(
        ReadOnlySpan<double> c,
        ReadOnlySpan<double> x,
        double u,
        ReadOnlySpan<double> lambda,
        Span<double> stateGradient,
        ref double driveGradient,
        Span<double> coefficientGradient)
    {
        var current = x[Current];
        var coilVelocity = 0.0;
        var coilDisplacement = 0.0;
        var radiated = 0.0;
        var accelerationAdjoint = 0.0;
        for (var k = 0; k < ModeCount; k++)
        {
            var phi = c[(k * ModeCoefficients) + Participation];
            coilDisplacement += phi * x[1 + (2 * k)];
            coilVelocity += phi * x[2 + (2 * k)];
            radiated += c[(k * ModeCoefficients) + Radiation] * x[2 + (2 * k)];
            accelerationAdjoint += phi * lambda[2 + (2 * k)];
        }

        // Band-pass: z₁' = z₂, z₂' = B (p − z₂) − ω₀² z₁.
        var omegaLow = RadPerMsPerHz * c[HighPassHz];
        var omegaHigh = RadPerMsPerHz * c[LowPassHz];
        var bandwidth = omegaHigh - omegaLow;
        var micScale = c[MicSensitivity] * MetresPerMillimetre;
        var pressure = micScale * radiated;
        var z1 = x[FilterState];
        var z2 = x[MicOutput];
        var lambdaFilter = lambda[MicOutput];
        stateGradient[FilterState] -= lambdaFilter * omegaLow * omegaHigh;
        stateGradient[MicOutput] += lambda[FilterState] - (lambdaFilter * bandwidth);
        var pressureAdjoint = lambdaFilter * bandwidth;
        var bandwidthAdjoint = lambdaFilter * (pressure - z2);
        var squaredCentreAdjoint = -lambdaFilter * z1;
        coefficientGradient[HighPassHz] += RadPerMsPerHz * (-bandwidthAdjoint + (squaredCentreAdjoint * omegaHigh));
        coefficientGradient[LowPassHz] += RadPerMsPerHz * (bandwidthAdjoint + (squaredCentreAdjoint * omegaLow));
        coefficientGradient[MicSensitivity] += pressureAdjoint * MetresPerMillimetre * radiated;

        // Voice coil: i' = (G u − R i − Bl·v·10⁻³) / L.
        var inductance = c[Inductance];
        var forceFactor = c[ForceFactor];
        var lambdaCurrent = lambda[Current];
        var coilRate = ((c[Gain] * u) - (c[Resistance] * current) - (forceFactor * MetresPerMillimetre * coilVelocity))
            / inductance;
        var perInductance = lambdaCurrent / inductance;
        driveGradient += perInductance * c[Gain];
        coefficientGradient[Gain] += perInductance * u;
        coefficientGradient[Resistance] -= perInductance * current;
        coefficientGradient[Inductance] -= perInductance * coilRate;
        coefficientGradient[ForceFactor] -= perInductance * MetresPerMillimetre * coilVelocity;
        var coilVelocityAdjoint = -perInductance * forceFactor * MetresPerMillimetre;
        var currentAdjoint = -perInductance * c[Resistance];

        // Coil force: a = 10³ (Bl i − k₃ w³) / m with w in mm.
        var mass = c[MovingMass];
        var w = coilDisplacement * MillimetresPerMicrometre;
        var force = (forceFactor * current) - (c[CubicStiffness] * w * w * w);
        var acceleration = AccelerationPerNewtonPerGram * force / mass;
        var forceAdjoint = AccelerationPerNewtonPerGram * accelerationAdjoint / mass;
        coefficientGradient[MovingMass] -= accelerationAdjoint * acceleration / mass;
        currentAdjoint += forceAdjoint * forceFactor;
        coefficientGradient[ForceFactor] += forceAdjoint * current;
        coefficientGradient[CubicStiffness] -= forceAdjoint * w * w * w;
        var coilDisplacementAdjoint = -forceAdjoint * 3 * c[CubicStiffness] * w * w * MillimetresPerMicrometre;
        stateGradient[Current] += currentAdjoint;

        for (var k = 0; k < ModeCount; k++)
        {
            var baseIndex = k * ModeCoefficients;
            var omega = RadPerMsPerHz * c[baseIndex + Frequency];
            var quality = c[baseIndex + Quality];
            var phi = c[baseIndex + Participation];
            var radiation = c[baseIndex + Radiation];
            var q = x[1 + (2 * k)];
            var qDot = x[2 + (2 * k)];
            var lambdaVelocity = lambda[2 + (2 * k)];
            stateGradient[1 + (2 * k)] += (-lambdaVelocity * omega * omega) + (coilDisplacementAdjoint * phi);
            stateGradient[2 + (2 * k)] += lambda[1 + (2 * k)] - (lambdaVelocity * omega / quality)
                + (coilVelocityAdjoint * phi) + (pressureAdjoint * micScale * radiation);
            var omegaAdjoint = -lambdaVelocity * ((qDot / quality) + (2 * omega * q));
            coefficientGradient[baseIndex + Frequency] += RadPerMsPerHz * omegaAdjoint;
            coefficientGradient[baseIndex + Quality] += lambdaVelocity * omega * qDot / (quality * quality);
            coefficientGradient[baseIndex + Participation] += (lambdaVelocity * acceleration)
                + (coilDisplacementAdjoint * q) + (coilVelocityAdjoint * qDot);
            coefficientGradient[baseIndex + Radiation] += pressureAdjoint * micScale * qDot;
        }
    }

    /// <inheritdoc />
    public double Observe(ReadOnlySpan<double> c, ReadOnlySpan<double> x) => x[MicOutput] * x[MicOutput];

    /// <inheritdoc />
    public void ObserveVjp(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double g, Span<double>
        stateGradient, Span<double> coefficientGradient)
        => stateGradient[MicOutput] += 2 * g * x[MicOutput];
}
