namespace Edge.Agent.Models;

/// <summary>
/// The exact one-sided sign test (McNemar's exact test) on paired outcomes: of the pairs where only one model was
/// right, how likely are at least <c>losses</c> losses if both models were equally good (each such pair a fair coin)?
/// </summary>
internal static class SignTest
{
    /// <summary>P(X ≥ <paramref name="losses"/>) for X ~ Binomial(losses + wins, ½); 1 without losses.</summary>
    public static double PValueWorse(int losses, int wins)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(losses);
        ArgumentOutOfRangeException.ThrowIfNegative(wins);
        var n = losses + wins;
        if (n == 0 || losses == 0)
        {
            return 1;
        }

        // Log space: ½ⁿ underflows for the thousands of pairs a big calibration set gives.
        var logPmf = n * Math.Log(0.5);
        for (var k = 0; k < losses; k++)
        {
            logPmf += Math.Log((double)(n - k) / (k + 1));
        }

        var logFirst = logPmf;
        var sum = 0.0;
        for (var k = losses; k <= n; k++)
        {
            sum += Math.Exp(logPmf - logFirst);
            logPmf += Math.Log((double)(n - k) / (k + 1));
        }

        return Math.Min(1, Math.Exp(logFirst + Math.Log(sum)));
    }
}
