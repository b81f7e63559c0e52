namespace Edge.Bridge.Firmware;

/// <summary>
/// Plays a drive on one DAC output while sampling one ADC input at the same rate. Deadlines are computed from the
/// start tick with integer arithmetic (sample i at start + i · ticksPerSecond / rate), so timing never drifts.
/// Segment k's code is written at the deadline of its first sample; the sample of period i is taken at the end of that
/// period, just before the next code is written, so it sees what the drive of period i did.
/// </summary>
public sealed class WaveformSequencer
{
    private readonly IDacDriver dac;
    private readonly IAdcDriver adc;
    private readonly ITickClock clock;

    /// <summary>Creates a sequencer over the board's converters and timer.</summary>
    public WaveformSequencer(IDacDriver dac, IAdcDriver adc, ITickClock clock)
    {
        this.dac = dac;
        this.adc = adc;
        this.clock = clock;
    }

    /// <summary>Samples that started later than a quarter of a sample period after their deadline, in the last
    /// run.</summary>
    public int LateSamples { get; private set; }

    /// <summary>Lead between the call and the first deadline in the last run, in ticks (a quarter sample
    /// period).</summary>
    public long LeadTicks { get; private set; }

    /// <summary>Largest lateness of the last run, in ticks.</summary>
    public long MaxLatenessTicks { get; private set; }

    /// <summary>
    /// Plays <paramref name="codes"/> (each held <paramref name="samplesPerSegment"/> samples) on <paramref
    /// name="dacChannel"/>
    /// at <paramref name="sampleRateHz"/> and writes one ADC sample per period into <paramref name="samples"/>.
    /// </summary>
    public void Play(ushort[] codes, int segmentCount, int samplesPerSegment, int sampleRateHz, int dacChannel,
        int adcChannel, int[] samples)
    {
        var total = segmentCount * samplesPerSegment;
        var ticksPerSecond = clock.TicksPerSecond;
        var lateThreshold = ticksPerSecond / sampleRateHz / 4;
        LateSamples = 0;
        MaxLatenessTicks = 0;

        // A quarter period of lead so the first deadline is still ahead when the loop starts.
        LeadTicks = ticksPerSecond / sampleRateHz / 4;
        var start = clock.Ticks + LeadTicks;
        for (var i = 0; i <= total; i++)
        {
            var deadline = start + (i * ticksPerSecond / sampleRateHz);
            clock.WaitUntil(deadline);
            var late = clock.Ticks - deadline;
            if (late > MaxLatenessTicks)
            {
                MaxLatenessTicks = late;
            }

            if (late > lateThreshold)
            {
                LateSamples++;
            }

            if (i > 0)
            {
                samples[i - 1] = adc.Read(adcChannel);
            }

            if (i < total && i % samplesPerSegment == 0)
            {
                dac.Write(dacChannel, codes[i / samplesPerSegment]);
            }
        }
    }
}
