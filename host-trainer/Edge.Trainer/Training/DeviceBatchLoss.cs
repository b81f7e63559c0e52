using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>The loss of one training batch played through the device, as the forward-only modes score it.</summary>
internal static class DeviceBatchLoss
{
    /// <summary>
    /// Plays <paramref name="batch"/> rows of <paramref name="inputs"/> through <paramref name="model"/> on the device
    /// (training pass) and returns the cross-entropy plus the range penalty and the correct count; the loss's
    /// gradient with respect to the logits is written into <paramref name="logitGradient"/> (its first
    /// batch × classes values, which are returned).
    /// </summary>
    public static async ValueTask<(double Loss, int Correct, Memory<float> Gradient)> PlayAsync(
        PnnModel model,
        float[] inputs,
        int[] labels,
        int batch,
        float[] logitGradient,
        CancellationToken cancellationToken)
    {
        var classes = model.ClassCount;
        var logits = await model.ForwardAsync(inputs, batch, PassKind.Device, training: true, cancellationToken)
            .ConfigureAwait(false);
        var gradient = logitGradient.AsMemory(0, batch * classes);
        var loss = Losses.SoftmaxCrossEntropy(
            logits.AsSpan(0, batch * classes), labels.AsSpan(0, batch), classes, gradient.Span) + model.Penalty;
        return (loss, Scoring.CountCorrect(logits, labels.AsSpan(0, batch), classes), gradient);
    }
}
