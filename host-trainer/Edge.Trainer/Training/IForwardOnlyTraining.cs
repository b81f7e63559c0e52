using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>
/// One optimiser step's gradients for a mode that never differentiates the physics (zeroth-order, local): the
/// trainer zeroes the gradients, calls <see cref="StepAsync"/>, then steps its optimiser.
/// </summary>
public interface IForwardOnlyTraining
{
    /// <summary>
    /// Trainable values the mode adds for training only (local heads); they are not part of the model.
    /// </summary>
    IReadOnlyList<Parameter> ExtraParameters { get; }

    /// <summary>
    /// Forwards the batch through the device as often as the mode needs and adds its gradient estimate to every
    /// parameter; returns the batch's mean loss and how many examples the unperturbed network classified right.
    /// </summary>
    ValueTask<(double Loss, int Correct)> StepAsync(
        float[] inputs, int[] labels, int batch, CancellationToken cancellationToken);
}
