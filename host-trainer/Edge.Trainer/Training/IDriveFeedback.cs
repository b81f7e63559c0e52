namespace Edge.Trainer.Training;

/// <summary>
/// A source of the loss gradient at a physical layer's drive that does not differentiate the physics (no twin):
/// what a backprop-free mode puts in place of the twin's vector-Jacobian product.
/// </summary>
public interface IDriveFeedback
{
    /// <summary>
    /// Writes the gradient for the <paramref name="batch"/> drives <paramref name="layer"/> played in its last
    /// training forward (row-major, one row of <see cref="Edge.Domain.Specs.LayerSpec.DriveLength"/> per example).
    /// </summary>
    void DriveGradient(PhysicalLayer layer, int batch, Span<float> driveGradient);
}
