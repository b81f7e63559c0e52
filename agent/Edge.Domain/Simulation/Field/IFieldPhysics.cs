namespace Edge.Domain.Simulation.Field;

/// <summary>
/// The physics a field part really obeys when it goes beyond its twin's equations (extra modes, a non-linear force
/// factor, a microphone's own response, jittered sampling). Forward only: gradients, the twin's and the ideal
/// baseline's, stay with the twin's equations.
/// </summary>
public interface IFieldPhysics
{
    /// <summary>Length of the state vector.</summary>
    int StateSize { get; }

    /// <summary>ADC samples in one drive: the length of the sample offsets <see cref="Forward"/> takes.</summary>
    int SamplesPerDrive { get; }

    /// <summary>
    /// Plays one drive from <paramref name="state"/> (left where the drive ends) into the output bins.
    /// </summary>
    /// <param name="coefficients">The twin's coefficients at the part's current values.</param>
    /// <param name="drive">One value per drive segment, after the drive chain.</param>
    /// <param name="sampleOffsetsNs">Timing error of each ADC sample in nanoseconds; empty for a perfect clock.</param>
    /// <param name="output">The bins.</param>
    /// <param name="state">The state the drive starts from.</param>
    void Forward(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, ReadOnlySpan<double> sampleOffsetsNs,
        Span<double> output, Span<double> state);

    /// <summary>Lets <paramref name="state"/> ring down undriven for <paramref name="seconds"/>.</summary>
    void Relax(ReadOnlySpan<double> coefficients, Span<double> state, double seconds);
}
