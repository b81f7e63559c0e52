using Edge.Devices.Layers;

namespace Edge.Devices.Emulation;

/// <summary>
/// Emulated time in nanoseconds: it moves only when a bus transfer takes time or a backend waits for a deadline, so
/// emulated runs are deterministic and as fast as the host allows. Not thread-safe: one bench, one thread.
/// </summary>
public sealed class VirtualClock : SampleClock
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _now;

    /// <summary>Ticks per second: nanoseconds.</summary>
    public override long TimestampFrequency => 1_000_000_000;

    /// <summary>Nanoseconds since the clock started.</summary>
    public override long GetTimestamp() => _now;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(_now / 100);

    /// <summary>Seconds since the clock started.</summary>
    public double Seconds => _now * 1e-9;

    /// <summary>Moves time forward by <paramref name="seconds"/>.</summary>
    public void Advance(double seconds)
    {
        if (!(seconds >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Virtual time only moves forward.");
        }

        _now += (long)Math.Round(seconds * 1e9);
    }

    /// <inheritdoc />
    public override void WaitUntil(long timestamp) => _now = Math.Max(_now, timestamp);
}
