namespace Edge.Agent.Messaging;

/// <summary>
/// Exponential reconnect delays with "equal jitter": attempt n waits between half and all of
/// min(max, min·2ⁿ), so a fleet that lost the broker together does not reconnect in lockstep.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan minDelay, TimeSpan maxDelay, Random random)
{
    private int _attempt;

    /// <summary>The delay before the next attempt; each call doubles the ceiling up to the maximum.</summary>
    public TimeSpan Next()
    {
        ArgumentNullException.ThrowIfNull(random);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, minDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (0.5 * random.NextDouble())));
    }

    /// <summary>Starts over after a successful connection.</summary>
    public void Reset() => _attempt = 0;
}
