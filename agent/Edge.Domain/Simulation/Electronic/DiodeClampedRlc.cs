using Edge.Domain.Physics;

namespace Edge.Domain.Simulation.Electronic;

/// <summary>
/// A series RLC resonator driven by the level-shifted DAC voltage, with an antiparallel pair of diodes (each behind
/// a series resistor) clamping the capacitor node. Units: V, mA, µs, kΩ, mH, nF, so every coefficient is of order
/// one and kΩ·mA = V, mH·mA/µs = V, nF·V/µs = mA hold without conversion factors.
/// <para>State (i, v): inductor current and capacitor-node voltage, observed through v.</para>
/// <code>
/// L di/dt = G·u − (R + R_L)·i − v
/// C dv/dt = i − I_D(v),      I_D(v) = f(v; V_F1) − f(−v; V_F2)
/// f(w; V_F) = (nV_T / R_D) · softplus((w − V_F)/nV_T + ln(R_D / nV_T))
/// </code>
/// <para>
/// f is the smooth union of a diode and its series resistor: below the knee it is the Shockley law
/// 1 mA·exp((w − V_F)/nV_T) (so V_F is the forward voltage at 1 mA), above it the ohmic asymptote
/// (w − V_F + nV_T·ln(R_D/nV_T))/R_D. Its slope never exceeds 1/R_D, so the stiffest time constant is R_D·C
/// rather than the picoseconds of a bare junction, and explicit RK4 stays stable at the ADC's sample step.
/// </para>
/// </summary>
public readonly struct DiodeClampedRlc : IOdeSystem
{
    /// <summary>Index of the driver gain G (level shifter and buffer, V/V).</summary>
    public const int DriveGain = 0;

    /// <summary>Index of the series resistor R (kΩ).</summary>
    public const int SeriesResistance = 1;

    /// <summary>Index of the inductor's winding resistance R_L (kΩ).</summary>
    public const int WindingResistance = 2;

    /// <summary>Index of the inductance L (mH).</summary>
    public const int Inductance = 3;

    /// <summary>Index of the capacitance C (nF).</summary>
    public const int Capacitance = 4;

    /// <summary>Index of the diode-branch series resistor R_D (kΩ).</summary>
    public const int DiodeResistance = 5;

    /// <summary>Index of V_F1, forward voltage at 1 mA of the diode that conducts for v &gt; 0 (V).</summary>
    public const int ForwardVoltagePositive = 6;

    /// <summary>Index of V_F2, forward voltage at 1 mA of the diode that conducts for v &lt; 0 (V).</summary>
    public const int ForwardVoltageNegative = 7;

    /// <summary>Index of nV_T, emission coefficient times thermal voltage (V).</summary>
    public const int SlopeVoltage = 8;

    /// <summary>Number of coefficients.</summary>
    public const int CoefficientCount = 9;

    private const double OverflowGuard = 600;

    /// <inheritdoc />
    public int StateSize => 2;

    /// <summary>Current through the diode pair at node voltage <paramref name="v"/>, in mA.</summary>
    public static double DiodeCurrent(ReadOnlySpan<double> c, double v)
    {
        var (rd, nvt) = (c[DiodeResistance], c[SlopeVoltage]);
        var excessPositive = (v - c[ForwardVoltagePositive]) / nvt;
        var excessNegative = (-v - c[ForwardVoltageNegative]) / nvt;
        return nvt / rd * SoftplusDifference(rd / nvt, excessPositive, excessNegative, out _, out _);
    }

    /// <inheritdoc />
    public void Derivative(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double u, Span<double> derivative)
    {
        var current = x[0];
        var voltage = x[1];
        var inductorVoltage = (c[DriveGain] * u) - ((c[SeriesResistance] + c[WindingResistance]) * current) - voltage;
        derivative[0] = inductorVoltage / c[Inductance];
        derivative[1] = (current - DiodeCurrent(c, voltage)) / c[Capacitance];
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
        var current = x[0];
        var voltage = x[1];
        var (gain, inductance, capacitance) = (c[DriveGain], c[Inductance], c[Capacitance]);
        var (rd, nvt) = (c[DiodeResistance], c[SlopeVoltage]);
        var seriesTotal = c[SeriesResistance] + c[WindingResistance];

        var excessPositive = (voltage - c[ForwardVoltagePositive]) / nvt;
        var excessNegative = (-voltage - c[ForwardVoltageNegative]) / nvt;
        var difference = SoftplusDifference(rd / nvt, excessPositive, excessNegative, out var sigmaPositive,
            out var sigmaNegative);
        var diodeCurrent = nvt / rd * difference;

        var inductorVoltage = (gain * u) - (seriesTotal * current) - voltage;
        var a0 = lambda[0] / inductance;
        var a1 = lambda[1] / capacitance;

        stateGradient[0] += a1 - (a0 * seriesTotal);
        stateGradient[1] += -a0 - (a1 * (sigmaPositive + sigmaNegative) / rd);
        driveGradient += a0 * gain;

        coefficientGradient[DriveGain] += a0 * u;
        coefficientGradient[SeriesResistance] -= a0 * current;
        coefficientGradient[WindingResistance] -= a0 * current;
        coefficientGradient[Inductance] -= a0 * inductorVoltage / inductance;
        coefficientGradient[Capacitance] -= a1 * (current - diodeCurrent) / capacitance;

        // dv/dt = (i − I_D)/C, so every diode coefficient enters with −a1·∂I_D/∂coefficient.
        coefficientGradient[ForwardVoltagePositive] += a1 * sigmaPositive / rd;
        coefficientGradient[ForwardVoltageNegative] -= a1 * sigmaNegative / rd;
        var dResistance = nvt / (rd * rd) * (sigmaPositive - sigmaNegative - difference);
        coefficientGradient[DiodeResistance] -= a1 * dResistance;
        var dSlope = (difference - (sigmaPositive * (excessPositive + 1)) + (sigmaNegative * (excessNegative + 1)))
            / rd;
        coefficientGradient[SlopeVoltage] -= a1 * dSlope;
    }

    /// <inheritdoc />
    public double Observe(ReadOnlySpan<double> c, ReadOnlySpan<double> x) => x[1];

    /// <inheritdoc />
    public void ObserveVjp(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double g, Span<double>
        stateGradient, Span<double> coefficientGradient)
        => stateGradient[1] += g;

    // softplus(e₁ + ln r) − softplus(e₂ + ln r) = ln((1 + r·e^e₁)/(1 + r·e^e₂)) and the two logistic slopes, with two
    // exponentials and one logarithm: the integrator's inner loop is bound by these calls. Far beyond any
    // physical swing (e > 600, where r·e^e would overflow) the overflow-free form takes over.
    private static double SoftplusDifference(double ratio, double e1, double e2, out double sigma1, out double sigma2)
    {
        if (e1 > OverflowGuard || e2 > OverflowGuard)
        {
            var logRatio = Math.Log(ratio);
            return Softplus(e1 + logRatio, out sigma1) - Softplus(e2 + logRatio, out sigma2);
        }

        var q1 = ratio * Math.Exp(e1);
        var q2 = ratio * Math.Exp(e2);
        sigma1 = q1 / (1.0 + q1);
        sigma2 = q2 / (1.0 + q2);
        return Math.Log((1.0 + q1) / (1.0 + q2));
    }

    private static double Softplus(double s, out double sigma)
    {
        var tail = Math.Exp(-Math.Abs(s));
        var inverse = 1.0 / (1.0 + tail);
        sigma = s >= 0 ? inverse : tail * inverse;
        return Math.Max(s, 0) + Math.Log(1.0 + tail);
    }
}
