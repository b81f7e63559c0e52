using System.Diagnostics;

namespace Edge.Devices.Layers;

/// <summary>The clock a layer backend paces its waveform by: a time source that can also wait for a deadline.</summary>
public abstract class SampleClock : TimeProvider
{
    /// <summary>Returns once <see cref="TimeProvider.GetTimestamp"/> has reached <paramref name="timestamp"/> (at once
    /// if it has).</summary>
    public abstract void WaitUntil(long timestamp);
}

/// <summary>
/// The Pi's own clock: <see cref="Stopwatch"/> timestamps, sleeping while a deadline is far and spinning for the last
/// stretch, because a Linux sleep overshoots by tens of microseconds to milliseconds.
/// </summary>
public sealed class HighResolutionSampleClock : SampleClock
{
    private static readonly long SpinThreshold = Stopwatch.Frequency / 500;

    /// <inheritdoc />
    public override void WaitUntil(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > SpinThreshold)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }
}
