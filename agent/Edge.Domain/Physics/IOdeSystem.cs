namespace Edge.Domain.Physics;

/// <summary>
/// A driven ODE x' = f(x, u; c) with a scalar drive u and a scalar observation y = h(x; c), together with the
/// vector-Jacobian products that the discrete adjoint of <see cref="OdeLayerPhysics{TSystem}"/> needs.
/// Implemented as structs so the integrator's inner loop is devirtualised.
/// </summary>
public interface IOdeSystem
{
    /// <summary>Length of the state vector.</summary>
    int StateSize { get; }

    /// <summary>Writes f(x, u; c) into <paramref name="derivative"/>.</summary>
    void Derivative(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double u, Span<double> derivative);

    /// <summary>
    /// Adds λᵀ∂f/∂x to <paramref name="stateGradient"/>, λᵀ∂f/∂u to <paramref name="driveGradient"/> and λᵀ∂f/∂c to
    /// <paramref name="coefficientGradient"/>.
    /// </summary>
    void DerivativeVjp(
        ReadOnlySpan<double> c,
        ReadOnlySpan<double> x,
        double u,
        ReadOnlySpan<double> lambda,
        Span<double> stateGradient,
        ref double driveGradient,
        Span<double> coefficientGradient);

    /// <summary>The measured quantity in state <paramref name="x"/>.</summary>
    double Observe(ReadOnlySpan<double> c, ReadOnlySpan<double> x);

    /// <summary>Adds g·∂h/∂x to <paramref name="stateGradient"/> and g·∂h/∂c to <paramref
    /// name="coefficientGradient"/>.</summary>
    void ObserveVjp(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double g, Span<double> stateGradient, Span<double>
        coefficientGradient);
}
