using System.Diagnostics;

namespace Edge.Agent.Tests.Inference;

/// <summary>Waits for a condition with a deadline, failing with what was awaited.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, double seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
