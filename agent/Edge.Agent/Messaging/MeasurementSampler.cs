using Edge.Agent.Inference;

namespace Edge.Agent.Messaging;

/// <summary>
/// Records a fraction (<see cref="MqttOptions.MeasurementSampleFraction"/>) of the drives the device plays — served
/// PAT drives and the drives of every classification — into the measurement stream. Thread-safe: PAT requests,
/// the watched folder and MQTT inference requests may play drives at once.
/// </summary>
public sealed class MeasurementSampler : IMeasurementTap
{
    private readonly MeasurementRecorder _recorder;
    private readonly AgentMetrics _metrics;
    private readonly double _fraction;
    private readonly Random _sampler;
    private readonly Lock _gate = new();

    /// <summary>Samples <paramref name="fraction"/> (0..1) of observed drives into <paramref
    /// name="recorder"/>.</summary>
    public MeasurementSampler(MeasurementRecorder recorder, AgentMetrics metrics, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        (_recorder, _metrics, _fraction, _sampler) = (recorder, metrics, fraction, new Random(seed));
    }

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<float> drive, ReadOnlySpan<float> response)
    {
        if (_fraction <= 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_fraction < 1 && _sampler.NextDouble() >= _fraction)
            {
                return;
            }
        }

        _recorder.Record(drive, response, DateTimeOffset.UtcNow);
        _metrics.Measurements.Inc();
    }
}
