namespace Edge.Trainer.Training;

/// <summary>Reading class predictions off logits.</summary>
public static class Scoring
{
    /// <summary>How many rows of <paramref name="logits"/> have their largest value at the row's label.</summary>
    public static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        var correct = 0;
        for (var b = 0; b < labels.Length; b++)
        {
            correct += ArgMax(logits.Slice(b * classes, classes)) == labels[b] ? 1 : 0;
        }

        return correct;
    }

    /// <summary>Index of the largest value (the first, on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
