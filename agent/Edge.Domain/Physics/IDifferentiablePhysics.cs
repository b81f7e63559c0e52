using Edge.Domain.Specs;

namespace Edge.Domain.Physics;

/// <summary>
/// Noise-free physics of a layer as a differentiable function of the drive and of its coefficients. The simulated
/// device runs it with the part's true coefficients; the gray-box twin runs it with learned ones; the ideal baseline
/// takes its exact gradients.
/// </summary>
public interface IDifferentiablePhysics
{
    /// <summary>The layer this physics computes.</summary>
    LayerSpec Spec { get; }

    /// <summary>The coefficients, in the order the coefficient spans use.</summary>
    IReadOnlyList<PhysicalCoefficient> Coefficients { get; }

    /// <summary>Doubles of scratch a forward pass records for its backward pass, per drive.</summary>
    int TapeLength { get; }

    /// <summary>
    /// Computes the response to one drive (segment order, DAC units, already converted) with the given
    /// coefficients. When <paramref name="tape"/> is not empty it must hold <see cref="TapeLength"/> doubles and
    /// receives what <see cref="Backward"/> needs.
    /// </summary>
    void Forward(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, Span<double> output, Span<double> tape);

    /// <summary>
    /// Vector-Jacobian product at the drive recorded in <paramref name="tape"/>: writes dL/d(drive) into
    /// <paramref name="driveGradient"/> and adds dL/d(coefficients) to <paramref name="coefficientGradient"/>.
    /// </summary>
    void Backward(
        ReadOnlySpan<double> coefficients,
        ReadOnlySpan<double> drive,
        ReadOnlySpan<double> tape,
        ReadOnlySpan<double> outputGradient,
        Span<double> driveGradient,
        Span<double> coefficientGradient);
}
