namespace Edge.Tests.Shared;

/// <summary>A clock the test moves by hand, so schedules (resend timeouts, backoff) are tested without
/// waiting.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock forward by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by) => _now += by;
}
