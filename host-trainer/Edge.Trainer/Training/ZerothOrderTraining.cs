using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>
/// Zeroth-order training through the device by SPSA (Spall 1992): every step draws
/// <see cref="TrainingOptions.PerturbationDirections"/> random ±1 directions over all values that act through the
/// physics (digital layers before it, θ), plays the batch at θ + c_k·Δ and θ − c_k·Δ, and averages the
/// two-sided estimates; Adam takes the step. c_k = c / k^0.101 (Spall's γ, k from 1),
/// c = <see cref="TrainingOptions.PerturbationSize"/> of each value's scale. SPSA estimates only the
/// cross-entropy's gradient: the drives' range penalty is a known function of the drives, so its exact gradient is
/// back-propagated instead (on the plate its two-point differences were 3–10× the cross-entropy's and drowned
/// them). The digital readout after the last physical layer sees only measured outputs, so it gets its exact
/// gradient; both exact parts are averaged over the perturbed passes. No twin; the device is only ever played
/// forwards.
/// </summary>
public sealed class ZerothOrderTraining : IForwardOnlyTraining
{
    private const double PerturbationDecay = 0.101;

    private readonly PnnModel _model;
    private readonly SimultaneousPerturbation _perturbation;
    private readonly int _directions;
    private readonly double _size;
    private readonly float[] _logitGradient;
    private long _step;

    /// <summary>Prepares SPSA for <paramref name="model"/>; its physical layers become forward-only.</summary>
    public ZerothOrderTraining(PnnModel model, TrainingOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var tail = model.LastPhysicalModule + 1;
        if (tail == 0)
        {
            throw new InvalidOperationException("Zeroth-order training needs a physical layer; this network has none.");
        }

        _model = model;
        _directions = options.PerturbationDirections;
        _size = options.PerturbationSize;
        _perturbation = new SimultaneousPerturbation(model.Modules.Take(tail), seed);
        _logitGradient = new float[model.MaxBatch * model.ClassCount];
        foreach (var layer in model.PhysicalLayers)
        {
            layer.ForwardOnly = true;
            layer.PenaltyGradientWeight = 1.0 / (2 * _directions);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> ExtraParameters => [];

    /// <inheritdoc />
    public async ValueTask<(double Loss, int Correct)> StepAsync(
        float[] inputs, int[] labels, int batch, CancellationToken cancellationToken)
    {
        var size = _size / Math.Pow(++_step, PerturbationDecay);
        var weight = 1.0 / _directions;
        var lossSum = 0.0;
        var correct = 0;
        for (var d = 0; d < _directions; d++)
        {
            _perturbation.Draw();
            _perturbation.Shift(size);
            var (plus, plusPenalty, plusCorrect) = await LossAsync(inputs, labels, batch, weight / 2,
                cancellationToken).ConfigureAwait(false);
            _perturbation.Shift(-size);
            var (minus, minusPenalty, minusCorrect) = await LossAsync(inputs, labels, batch, weight / 2,
                cancellationToken).ConfigureAwait(false);
            _perturbation.Restore();
            _perturbation.Accumulate(plus - plusPenalty, minus - minusPenalty, size, weight);
            lossSum += plus + minus;
            correct += plusCorrect + minusCorrect;
        }

        return (lossSum / (2 * _directions), (int)Math.Round(correct / (2.0 * _directions)));
    }

    // Loss and range penalty of one perturbed device pass; the exact gradients of the readout (through the logits)
    // and of the penalty (forward-only layers pass back only that) are added with the given weight.
    private async ValueTask<(double Loss, double Penalty, int Correct)> LossAsync(
        float[] inputs, int[] labels, int batch, double weight, CancellationToken cancellationToken)
    {
        var (loss, correct, gradient) = await DeviceBatchLoss.PlayAsync(
            _model, inputs, labels, batch, _logitGradient, cancellationToken).ConfigureAwait(false);
        foreach (ref var g in gradient.Span)
        {
            g *= (float)weight;
        }

        _model.Backward(gradient.Span, batch);
        return (loss, _model.Penalty, correct);
    }
}
