namespace Edge.Domain.Physics;

/// <summary>
/// A driven ODE x' = f(x, u; c) with a scalar drive u and a scalar observation y = h(x; c), forward only: what a
/// simulated part obeys. <see cref="IOdeSystem"/> adds the vector-Jacobian products a twin or the ideal baseline
/// needs. Implemented as structs so the integrator's inner loop is devirtualised.
/// </summary>
public interface IOdeDynamics
{
    /// <summary>Length of the state vector.</summary>
    int StateSize { get; }

    /// <summary>Writes f(x, u; c) into <paramref name="derivative"/>.</summary>
    void Derivative(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double u, Span<double> derivative);

    /// <summary>The measured quantity in state <paramref name="x"/>.</summary>
    double Observe(ReadOnlySpan<double> c, ReadOnlySpan<double> x);
}
