using Edge.Domain.Timing;
using FsCheck;
using FsCheck.Xunit;

namespace Edge.Domain.Tests.Timing;

/// <summary>The one backoff formula of every reconnect, probe and resend.</summary>
public sealed class ExponentialBackoffTests
{
    [Property(MaxTest = 300)]
    public void Every_wait_lies_within_its_jittered_ceiling_which_doubles_up_to_the_cap(
        PositiveInt firstMs, PositiveInt spanMs, byte jitterPercent, int seed, byte calls)
    {
        var first = TimeSpan.FromMilliseconds(firstMs.Get % 60_000);
        first = first > TimeSpan.Zero ? first : TimeSpan.FromMilliseconds(1);
        var max = first + TimeSpan.FromMilliseconds(spanMs.Get % 600_000);
        var jitter = (jitterPercent % 101) / 100.0;
        var backoff = new ExponentialBackoff(first, max, jitter, new Random(seed));

        var ceiling = first;
        for (var attempt = 0; attempt < calls % 64; attempt++)
        {
            Assert.Equal(ceiling, ExponentialBackoff.Ceiling(first, max, attempt));
            var wait = backoff.Next();
            Assert.InRange(wait, (ceiling * (1 - jitter)) - TimeSpan.FromTicks(1), ceiling);
            var doubled = ceiling * 2;
            ceiling = doubled < max ? doubled : max;
        }

        Assert.Equal(calls % 64, backoff.Attempts);
    }

    [Property(MaxTest = 100)]
    public void Reset_starts_over_from_the_first_wait(PositiveInt firstMs, byte calls)
    {
        var first = TimeSpan.FromMilliseconds(firstMs.Get % 10_000 + 1);
        var backoff = new ExponentialBackoff(first, TimeSpan.FromHours(1));
        for (var i = 0; i < calls % 40; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(0, backoff.Attempts);
        Assert.Equal(first, backoff.Next());
    }

    [Fact]
    public void Without_jitter_the_waits_are_exact_and_stay_at_the_cap_for_ever()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000));

        var waits = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([100, 200, 400, 800, 1000, 1000, 1000, 1000], waits);
        Assert.Equal(TimeSpan.FromDays(1),
            ExponentialBackoff.Ceiling(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), 5000));
    }

    [Fact]
    public void Nonsense_bounds_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(()
            => new ExponentialBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExponentialBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), jitter: 1.5));
    }
}
