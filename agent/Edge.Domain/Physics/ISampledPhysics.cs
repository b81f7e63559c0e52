namespace Edge.Domain.Physics;

/// <summary>
/// Physics that can be advanced one converter sample at a time, so an emulated bench can run it in real (virtual)
/// time: whatever the DAC holds during a step drives it, and an ADC conversion observes the state it reached. Driving
/// every step with the held segment value and averaging <see cref="Observe"/> after each step reproduces
/// <see cref="IStatefulPhysics.ForwardFrom"/> exactly.
/// </summary>
public interface ISampledPhysics : IStatefulPhysics
{
    /// <summary>Duration of one step in seconds.</summary>
    double StepSeconds { get; }

    /// <summary>Advances <paramref name="state"/> by one step with the drive held at <paramref
    /// name="drive"/>.</summary>
    void Step(ReadOnlySpan<double> coefficients, Span<double> state, double drive);

    /// <summary>The measured quantity (in ADC units) in <paramref name="state"/>.</summary>
    double Observe(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> state);
}
