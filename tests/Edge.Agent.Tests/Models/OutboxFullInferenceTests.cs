using Edge.Agent.Configuration;
using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Models;

/// <summary>
/// A full disk under the measurement outbox is not an inference failure: classifications through the model store
/// keep succeeding, the health window counts no device error (so no automatic rollback of a good model), and the
/// measurements that cannot be stored are shed and counted.
/// </summary>
public sealed class OutboxFullInferenceTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _folder = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Classifications_keep_succeeding_and_count_no_device_error_while_the_outbox_is_full()
    {
        using var outbox = new SqliteOutbox(_folder.File("outbox.db"), 100_000, 1L << 30);
        var spec = PhysicalSystems.Get(TrainedPackages.System).Spec;
        var recorder = new MeasurementRecorder(spec, TrainedPackages.DeviceId, outbox, batchSize: 16);
        var tap = new MeasurementSampler(recorder, new AgentMetrics(), fraction: 1, seed: 1);
        using var store = ModelStore.Open(
            new ModelsOptions
            {
                StoreDirectory = _folder.File("store"),
                PublicKeyPath = packages.PublicKeyPath,
                CalibrationSetPath = packages.CalibrationPath,
                Tolerance = 0.1,
            },
            PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11),
            NullLogger.Instance,
            tap: tap);
        Assert.True((await store.InstallAsync(packages.Package(packages.Trained, 1), Token)).Accepted);

        // The outbox's database cannot grow any more: every write fails with SQLite error 13, as on a full disk.
        outbox.LimitPages(1);
        for (var i = 0; i < 60; i++)
        {
            var (_, served) = await store.ClassifyAsync(
                packages.Task.Test.Row(i % 10).ToArray(),
                cancellationToken: Token);
            Assert.Equal(1, served);
        }

        Assert.Contains("full", outbox.Problem, StringComparison.OrdinalIgnoreCase);
        Assert.True(recorder.Shed > 0, "measurements the outbox could not take are shed and counted");
        Assert.Equal(0, store.Health.DeviceErrorRate);
        Assert.Null(store.Health.Verdict());
        Assert.Equal(1, store.ActiveVersion);
    }

    public void Dispose() => _folder.Dispose();
}
