namespace Edge.Domain.Physics;

/// <summary>
/// A driven ODE (<see cref="IOdeDynamics"/>) together with the vector-Jacobian products that the discrete adjoint of
/// <see cref="OdeLayerPhysics{TSystem}"/> needs. Implemented as structs so the integrator's inner loop is
/// devirtualised.
/// </summary>
public interface IOdeSystem : IOdeDynamics
{
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

    /// <summary>Adds g·∂h/∂x to <paramref name="stateGradient"/> and g·∂h/∂c to <paramref
    /// name="coefficientGradient"/>.</summary>
    void ObserveVjp(ReadOnlySpan<double> c, ReadOnlySpan<double> x, double g, Span<double> stateGradient, Span<double>
        coefficientGradient);
}
