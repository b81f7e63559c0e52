namespace Edge.Domain.Physics;

/// <summary>
/// Physics with an internal state that outlives one drive (a circuit that still rings when the next drive starts).
/// The differentiable contract (<see cref="IDifferentiablePhysics"/>) always starts at rest; this adds what a
/// simulated device needs to carry the state from one drive to the next.
/// </summary>
public interface IStatefulPhysics : IDifferentiablePhysics
{
    /// <summary>Length of the state vector.</summary>
    int StateSize { get; }

    /// <summary>Like <see cref="IDifferentiablePhysics.Forward"/>, but starting from <paramref name="state"/>, which
    /// receives the final state.</summary>
    void ForwardFrom(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, Span<double> output, Span<double>
        state);

    /// <summary>Lets <paramref name="state"/> evolve for <paramref name="seconds"/> with the drive held at zero (the
    /// player's idle level).</summary>
    void Relax(ReadOnlySpan<double> coefficients, Span<double> state, double seconds);
}
