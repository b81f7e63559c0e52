namespace Edge.Agent.Inference;

/// <summary>The winning class of a logit vector and its softmax probability, computed stably without
/// allocating.</summary>
internal static class Softmax
{
    public static (int Index, float Probability) ArgMaxWithProbability(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        // Subtracting the maximum keeps every exponent ≤ 0: no overflow for large logits.
        var max = logits[best];
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            sum += Math.Exp(logits[i] - max);
        }

        return (best, (float)(1.0 / sum));
    }
}
