namespace Edge.Domain.Timing;

/// <summary>
/// Waits between retries that double from a first delay up to a cap: attempt n waits min(max, first·2ⁿ), less a
/// random share of up to <c>jitter</c> of it ("equal jitter" at 0.5), so a fleet that lost its broker together does
/// not come back in lockstep. With no jitter the waits are exact (a device probe driven by a test's clock). The one
/// formula behind the agent's and trainer's broker reconnects, the bridge link's reconnect, the supervisor's probes
/// and the outbox's resends.
/// </summary>
public sealed class ExponentialBackoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _max;
    private readonly double _jitter;
    private readonly Random _random;

    /// <summary>Waits from <paramref name="first"/> doubling up to <paramref name="max"/>.</summary>
    /// <param name="first">The first wait (and the wait after <see cref="Reset"/>); positive.</param>
    /// <param name="max">The longest wait; at least <paramref name="first"/>.</param>
    /// <param name="jitter">Share of each wait taken off at random, 0 (exact) to 1.</param>
    /// <param name="random">Source of the jitter (seeded in tests); <see cref="Random.Shared"/> when null.</param>
    public ExponentialBackoff(TimeSpan first, TimeSpan max, double jitter = 0, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, first);
        if (!(jitter is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "The jitter is a share from 0 to 1.");
        }

        (_first, _max, _jitter, _random) = (first, max, jitter, random ?? Random.Shared);
    }

    /// <summary>Waits taken since the last <see cref="Reset"/>.</summary>
    public int Attempts { get; private set; }

    /// <summary>
    /// The ceiling of wait number <paramref name="attempt"/> (0-based): min(max, first·2^attempt), without jitter.
    /// </summary>
    public static TimeSpan Ceiling(TimeSpan first, TimeSpan max, int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);

        // Past 2^40 any positive first delay has long passed any sensible cap; stopping there keeps ticks finite.
        var ticks = first.Ticks * Math.Pow(2, Math.Min(attempt, 40));
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The next wait; each call doubles the ceiling until it reaches the maximum.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling(_first, _max, Attempts);
        Attempts++;
        return _jitter == 0 ? ceiling : ceiling * (1 - (_jitter * _random.NextDouble()));
    }

    /// <summary>Starts over from the first wait (after a success).</summary>
    public void Reset() => Attempts = 0;
}
