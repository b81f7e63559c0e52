using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>PAT traffic sampled by the agent becomes ingested measurements the trainer scores and refits its twin
/// on.</summary>
public sealed class LiveTwinTests
{
    [Fact]
    public async Task Sampled_pat_traffic_is_ingested_and_scores_and_refits_the_twin()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var store = await MeasurementStore.OpenAsync(folder.Path("trainer.db"),
            TestContext.Current.CancellationToken);
        var metrics = new TrainerMetrics();
        await using var ingest = new MeasurementIngest(new BrokerOptions { Host = "127.0.0.1", Port = broker.Port,
            UseTls = false, AllowPlaintext = true, ClientId = "twin-ingest" }, store, metrics, NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await using var agent = await AgentInstance.StartAsync(broker.Port, "twin-agent",
            folder.Path("outbox.db"), new Dictionary<string, string?> { ["Edge:Mqtt:MeasurementSampleFraction"] =
                "0.5" });
        await using var remote = await RemoteDevice.ConnectAsync(PatLoopTests.Remote(broker.Port, "twin-agent"),
            cancellationToken: TestContext.Current.CancellationToken);
        var drives = PatLoopTests.Drives(remote.Spec, 2000, seed: 8);
        await remote.ForwardAsync(drives, new float[2000 * remote.Spec.OutputSize],
            TestContext.Current.CancellationToken);

        var recorded = (long)agent.Metrics.Measurements.Value;
        Assert.InRange(recorded, 850, 1150);
        agent.Recorder.Flush();
        await Eventually.TrueAsync(async ()
            => await store.CountAsync("twin-agent", TestContext.Current.CancellationToken) == recorded,
                $"{recorded} sampled measurements ingested");

        var nominal = new PhysicsTwin(PhysicalSystems.Get(AgentInstance.System).Physics, "nominal");
        var drift = await LiveTwin.DriftAsync(store, "twin-agent", nominal, samples: 5000, metrics,
            TestContext.Current.CancellationToken);
        Assert.InRange(drift, 1e-4, 0.5);
        Assert.Equal(drift, metrics.DriftResidual.WithLabels("twin-agent").Value);

        var fit = await LiveTwin.RefitAsync(store, "twin-agent", remote.Spec, samples: 5000,
            new MlpTwinOptions { Hidden = [64], Epochs = 40 }, seed: 1, TestContext.Current.CancellationToken);
        // Well below 1 (the NMSE of predicting the mean): the refit learned the part from field traffic alone.
        Assert.InRange(fit.ValidationNmse, 0, 0.6);

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(()
            => LiveTwin.DriftAsync(store, "nobody", nominal, 10,
                cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("'nobody'", missing.Message, StringComparison.Ordinal);
    }
}
