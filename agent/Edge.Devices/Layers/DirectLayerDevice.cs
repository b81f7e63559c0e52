using Edge.Devices.Analog;
using Edge.Domain.Devices;
using Edge.Domain.Specs;

namespace Edge.Devices.Layers;

/// <summary>
/// A physical layer driven from the Pi itself: each drive segment is written to a DAC at its deadline and the response
/// is
/// sampled by an ADC at the layer's rate, both paced by a <see cref="SampleClock"/>; samples are averaged into the
/// layer's output bins. The analog front end is assumed calibrated so that DAC code 0 … full scale spans the layer's
/// DAC
/// range and the ADC's code span covers the layer's ADC range.
/// </summary>
public sealed class DirectLayerDevice : IPhysicalDevice, IReportsDeviceStatus, IParkableDevice, IDisposable
{
    private readonly IDacChannel _dac;
    private readonly IAdcChannel _adc;
    private readonly SampleClock _clock;
    private readonly TimeSpan _interDriveGap;
    private readonly int _samplesPerDrive;
    private readonly int _samplesPerBin;
    private readonly int _safeCode;

    /// <summary>Creates the backend and parks the DAC at its safe value.</summary>
    /// <param name="spec">The layer.</param>
    /// <param name="deviceId">Identifier of the physical part.</param>
    /// <param name="dac">The DAC channel that plays the drive.</param>
    /// <param name="adc">The ADC channel that reads the response.</param>
    /// <param name="clock">The pacing clock (the Pi's, or a virtual one under emulation).</param>
    /// <param name="interDriveGap">Time the DAC rests at its safe value between drives, so the layer settles.</param>
    /// <exception cref="ArgumentException">The chips cannot keep up with the layer's rates, or the sample count does
    /// not split into bins.</exception>
    public DirectLayerDevice(LayerSpec spec, string deviceId, IDacChannel dac, IAdcChannel adc, SampleClock clock,
        TimeSpan interDriveGap = default)
    {
        Spec = (spec ?? throw new ArgumentNullException(nameof(spec))).Validate();
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        _dac = dac ?? throw new ArgumentNullException(nameof(dac));
        _adc = adc ?? throw new ArgumentNullException(nameof(adc));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        if (interDriveGap < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interDriveGap), interDriveGap,
                "The inter-drive gap cannot be negative.");
        }

        var segmentRate = spec.Dac.SampleRateHz / spec.Dac.SamplesPerSegment;
        if (segmentRate > dac.MaxUpdateRateHz)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}' changes its drive {segmentRate:G4} times a second; the DAC "
                    + $"manages at most {dac.MaxUpdateRateHz:G4}. Use the ESP32 bridge backend for this layer.",
                        nameof(dac));
        }

        if (spec.Adc.SampleRateHz > adc.MaxSampleRateHz)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}' samples at {spec.Adc.SampleRateHz:G4} S/s; the ADC manages at "
                    + $"most {adc.MaxSampleRateHz:G4}. Use the ESP32 bridge backend for this layer.", nameof(adc));
        }

        var driveSeconds = spec.DriveLength * spec.Dac.SegmentSeconds;
        _samplesPerDrive = (int)Math.Round(driveSeconds * spec.Adc.SampleRateHz);
        if (_samplesPerDrive < spec.OutputSize || _samplesPerDrive % spec.OutputSize != 0)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}': {_samplesPerDrive} ADC samples per drive do not split evenly "
                    + $"into {spec.OutputSize} bins.", nameof(spec));
        }

        _samplesPerBin = _samplesPerDrive / spec.OutputSize;
        DeviceId = deviceId;
        _interDriveGap = interDriveGap;
        _safeCode = DacCode(Math.Clamp(0.0, spec.Dac.Min, spec.Dac.Max));
        _dac.Write(_safeCode);
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <inheritdoc />
    public string DeviceId { get; }

    /// <summary>Timing of the last batch, or null before the first.</summary>
    public DirectRunStatistics? LastRun { get; private set; }

    /// <summary>The DAC code the output rests at between drives and after shutdown (drive value 0, clamped to the
    /// range).</summary>
    public int SafeCode => _safeCode;

    /// <summary>
    /// Plays the batch in real time on the calling thread (the schedule cannot tolerate a thread hop); cancellation is
    /// honoured between drives.
    /// </summary>
    public ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
        CancellationToken cancellationToken = default)
    {
        var count = DeviceBatch.Count(Spec, drives.Length, responses.Length);
        var jitter = new JitterAccumulator(_clock.TimestampFrequency, Spec.Adc.SampleRateHz);
        var samplingTicks = 0L;
        try
        {
            for (var d = 0; d < count; d++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = PlayOne(drives.Span.Slice(d * Spec.DriveLength, Spec.DriveLength),
                    responses.Span.Slice(d * Spec.OutputSize, Spec.OutputSize), ref jitter);
                var end = _clock.GetTimestamp();
                samplingTicks += end - start;
                _dac.Write(_safeCode);
                _clock.WaitUntil(end + (long)(_interDriveGap.TotalSeconds * _clock.TimestampFrequency));
            }
        }
        finally
        {
            _dac.Write(_safeCode);
        }

        var seconds = (double)samplingTicks / _clock.TimestampFrequency;
        LastRun = jitter.ToStatistics(count, (long)count * _samplesPerDrive, Spec.Adc.SampleRateHz, seconds);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Figures of the last batch: achieved and scheduled sample rate, RMS and worst lateness, late
    /// events.</remarks>
    public DeviceStatus GetStatus()
    {
        var run = LastRun;
        if (run is null)
        {
            return new DeviceStatus(true, "ready", null, new Dictionary<string, double>
            {
                ["scheduledSampleRateHz"] = Spec.Adc.SampleRateHz,
            });
        }

        var late = run.LateEvents > 0 ? $"{run.LateEvents} late DAC/ADC events in the last batch" : null;
        return new DeviceStatus(true, "ready", late, new Dictionary<string, double>
        {
            ["scheduledSampleRateHz"] = run.ScheduledSampleRateHz,
            ["sampleRateHz"] = run.AchievedSampleRateHz,
            ["rmsJitterUs"] = run.RmsJitter.TotalMicroseconds,
            ["maxLatenessUs"] = run.MaxLateness.TotalMicroseconds,
            ["lateEvents"] = run.LateEvents,
            ["drives"] = run.Drives,
            ["samples"] = run.Samples,
        });
    }

    /// <summary>Parks the DAC at its safe value.</summary>
    public void Park() => _dac.Write(_safeCode);

    /// <summary>Parks the DAC at its safe value.</summary>
    public void Dispose() => Park();

    private long PlayOne(ReadOnlySpan<float> drive, Span<float> response, ref JitterAccumulator jitter)
    {
        var frequency = _clock.TimestampFrequency;
        var segmentTicks = Spec.Dac.SegmentSeconds * frequency;
        var sampleTicks = frequency / Spec.Adc.SampleRateHz;

        // A short lead so the first deadline is not already past when the loop starts.
        var start = _clock.GetTimestamp() + (long)(sampleTicks / 4);
        response.Clear();
        var segment = 0;
        var sample = 0;
        var adcSpan = Spec.Adc.Max - Spec.Adc.Min;
        var codeSpan = (double)(_adc.MaxCode - _adc.MinCode);
        while (segment < drive.Length || sample < _samplesPerDrive)
        {
            // Sample k observes the layer after (k + 1) sample periods; at a tie the sample goes first, because it
            // belongs to the step that ends where the next segment begins.
            var sampleDue = start + (long)Math.Round((sample + 1) * sampleTicks);
            var segmentDue = start + (long)Math.Round(segment * segmentTicks);
            if (sample < _samplesPerDrive && (segment >= drive.Length || sampleDue <= segmentDue))
            {
                _clock.WaitUntil(sampleDue);
                jitter.Add(_clock.GetTimestamp() - sampleDue);
                var code = _adc.Read();
                response[sample / _samplesPerBin]
                    += (float)(Spec.Adc.Min + ((code - _adc.MinCode) / codeSpan * adcSpan));
                sample++;
            }
            else
            {
                _clock.WaitUntil(segmentDue);
                jitter.Add(_clock.GetTimestamp() - segmentDue);
                _dac.Write(DacCode(drive[segment]));
                segment++;
            }
        }

        var inverse = 1f / _samplesPerBin;
        for (var b = 0; b < response.Length; b++)
        {
            response[b] *= inverse;
        }

        return start;
    }

    private int DacCode(double value) => (int)Quantiser.Code(value, Spec.Dac.Min, Spec.Dac.Max, _dac.Bits);

    private struct JitterAccumulator(long frequency, double sampleRateHz)
    {
        private readonly double _lateThreshold = 0.5 * frequency / sampleRateHz;
        private double _sumSquares;
        private long _max;
        private long _events;
        private long _late;

        public void Add(long lateness)
        {
            lateness = Math.Max(0, lateness);
            _sumSquares += (double)lateness * lateness;
            _max = Math.Max(_max, lateness);
            _events++;
            _late += lateness > _lateThreshold ? 1 : 0;
        }

        public readonly DirectRunStatistics ToStatistics(int drives, long samples, double scheduledRate, double seconds)
        {
            var rms = _events == 0 ? 0 : Math.Sqrt(_sumSquares / _events) / frequency;
            return new DirectRunStatistics(
                drives,
                samples,
                scheduledRate,
                seconds > 0 ? samples / seconds : 0,
                TimeSpan.FromSeconds(rms),
                TimeSpan.FromSeconds((double)_max / frequency),
                _late);
        }
    }
}
