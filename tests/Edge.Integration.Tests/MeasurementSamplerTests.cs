using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Integration.Tests;

/// <summary>Inference traffic is sampled into the measurement stream at the configured fraction.</summary>
public sealed class MeasurementSamplerTests
{
    [Theory]
    [InlineData(0.0, 0, 0)]
    [InlineData(1.0, 2_000, 2_000)]
    [InlineData(0.25, 420, 580)] // binomial(2000, 0.25): mean 500, sd 19; the bounds are ±4 sd
    public void The_sampler_records_the_configured_fraction_of_observed_drives(double fraction, int atLeast, int atMost)
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 10_000, 1 << 26);
        var device = PhysicalSystems.Get("electronic").CreateDevice("sampled", 1);
        var recorder = new MeasurementRecorder(device.Spec, device.DeviceId, outbox, batchSize: 100);
        var metrics = new AgentMetrics();
        var sampler = new MeasurementSampler(recorder, metrics, fraction, seed: 5);
        var drive = new float[device.Spec.DriveLength];
        var response = new float[device.Spec.OutputSize];

        for (var i = 0; i < 2_000; i++)
        {
            response[0] = i;
            sampler.Observe(drive, response);
        }

        recorder.Flush();
        var recorded = 0;
        foreach (var message in outbox.Peek(1_000))
        {
            var batch = MeasurementBatch.Decode(message.Payload);
            Assert.Equal(device.Spec.OutputSize, batch.OutputSize);
            recorded += batch.Count;
        }

        Assert.InRange(recorded, atLeast, atMost);
        Assert.Equal(recorded, metrics.Measurements.Value);
    }

    [Fact]
    public void A_fraction_outside_zero_to_one_is_refused()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 10, 1 << 20);
        var device = PhysicalSystems.Get("electronic").CreateDevice("sampled", 1);
        var recorder = new MeasurementRecorder(device.Spec, device.DeviceId, outbox, batchSize: 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeasurementSampler(recorder, new AgentMetrics(), 1.5, 1));
    }
}
