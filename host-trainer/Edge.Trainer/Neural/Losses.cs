namespace Edge.Trainer.Neural;

/// <summary>Training losses returning the loss value and writing (not adding) its gradient.</summary>
public static class Losses
{
    /// <summary>
    /// Mean over all elements of (prediction − target)²; writes 2(prediction − target)/N into
    /// <paramref name="gradient"/> unless it is empty.
    /// </summary>
    public static double MeanSquaredError(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float>
        gradient)
    {
        if (target.Length != prediction.Length)
        {
            throw new ArgumentException("Prediction and target lengths differ.", nameof(target));
        }

        RequireGradientLength(gradient, prediction.Length);
        if (prediction.IsEmpty)
        {
            return 0;
        }

        var scale = 2f / prediction.Length;
        var sum = 0.0;
        for (var i = 0; i < prediction.Length; i++)
        {
            var difference = prediction[i] - target[i];
            sum += (double)difference * difference;
            if (!gradient.IsEmpty)
            {
                gradient[i] = scale * difference;
            }
        }

        return sum / prediction.Length;
    }

    /// <summary>
    /// Mean over the batch (one row of <paramref name="classes"/> logits per label) of −log softmax(logits)[label];
    /// writes (softmax − one-hot)/batch into <paramref name="gradient"/> unless it is empty.
    /// </summary>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int
        classes, Span<float> gradient)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var batch = labels.Length;
        if (logits.Length != batch * classes)
        {
            throw new ArgumentException($"Expected {batch}×{classes} logits, got {logits.Length}.", nameof(logits));
        }

        RequireGradientLength(gradient, logits.Length);
        if (batch == 0)
        {
            return 0;
        }

        var total = 0.0;
        for (var r = 0; r < batch; r++)
        {
            var label = labels[r];
            ArgumentOutOfRangeException.ThrowIfNegative(label, nameof(labels));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, classes, nameof(labels));
            var row = logits.Slice(r * classes, classes);
            var max = float.NegativeInfinity;
            foreach (var logit in row)
            {
                max = Math.Max(max, logit);
            }

            // Subtracting the max keeps exp from overflowing without changing the softmax.
            var sum = 0.0;
            foreach (var logit in row)
            {
                sum += Math.Exp(logit - max);
            }

            total += Math.Log(sum) + max - row[label];
            if (!gradient.IsEmpty)
            {
                var gradientRow = gradient.Slice(r * classes, classes);
                for (var j = 0; j < classes; j++)
                {
                    var probability = Math.Exp(row[j] - max) / sum;
                    gradientRow[j] = (float)((probability - (j == label ? 1 : 0)) / batch);
                }
            }
        }

        return total / batch;
    }

    private static void RequireGradientLength(Span<float> gradient, int length)
    {
        if (!gradient.IsEmpty && gradient.Length != length)
        {
            throw new ArgumentException($"Gradient must be empty or hold {length} floats.", nameof(gradient));
        }
    }
}
