using System.Diagnostics;

namespace Edge.Integration.Tests;

/// <summary>Polls a condition until it holds or a deadline passes (then fails naming what was awaited).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, double seconds = 20)
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

    public static Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 20)
        => TrueAsync(condition, () => what, seconds);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, double seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for: {what()}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
