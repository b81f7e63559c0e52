using Edge.Domain.Physics;

namespace Edge.Domain.Simulation.Duffing;

/// <summary>
/// x'' + 2ζω₀x' + ω₀²x + βx³ = u(t) with state (x, x'), observed through x. Coefficients: ω₀, ζ, β.
/// </summary>
public readonly struct DuffingOscillator : IOdeSystem
{
    /// <summary>Index of ω₀ in the coefficient vector.</summary>
    public const int Omega0 = 0;

    /// <summary>Index of ζ in the coefficient vector.</summary>
    public const int Zeta = 1;

    /// <summary>Index of β in the coefficient vector.</summary>
    public const int Beta = 2;

    /// <inheritdoc />
    public int StateSize => 2;

    /// <inheritdoc />
    public void Derivative(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double u, Span<double> derivative)
    {
        var (w, z, b) = (c[Omega0], c[Zeta], c[Beta]);
        var position = x[0];
        var velocity = x[1];
        derivative[0] = velocity;
        derivative[1] = u - (2 * z * w * velocity) - (w * w * position) - (b * position * position * position);
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
        var (w, z, b) = (c[Omega0], c[Zeta], c[Beta]);
        var position = x[0];
        var velocity = x[1];
        var lv = lambda[1];
        stateGradient[0] += lv * (-(w * w) - (3 * b * position * position));
        stateGradient[1] += lambda[0] - (lv * 2 * z * w);
        driveGradient += lv;
        coefficientGradient[Omega0] += lv * ((-2 * z * velocity) - (2 * w * position));
        coefficientGradient[Zeta] += lv * (-2 * w * velocity);
        coefficientGradient[Beta] += lv * (-(position * position * position));
    }

    /// <inheritdoc />
    public double Observe(ReadOnlySpan<double> c, ReadOnlySpan<double> x) => x[0];

    /// <inheritdoc />
    public void ObserveVjp(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double g, Span<double>
        stateGradient, Span<double> coefficientGradient)
        => stateGradient[0] += g;
}
