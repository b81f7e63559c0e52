using Edge.Domain.Data;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>The drift watch keeps going through what can fail: unusable measurements and an agent that is not there.</summary>
public sealed class FieldUpdateServiceTests
{
    [Fact]
    public async Task Unscorable_measurements_and_a_failed_session_are_logged_counted_and_the_watch_goes_on()
    {
        var token = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        await using var store = await MeasurementStore.OpenAsync(folder.Path("store.db"), token);
        var system = PhysicalSystems.Get("electronic");
        var part = system.CreateDevice("drifting", 1);
        var twin = new PhysicsTwin(system.Physics, "nominal physics");

        // "odd" streams measurements of another layer shape; "drifting" streams its own part's responses.
        await store.AddAsync("odd", Batch(1, 5, 3, 120, seed: 1), token);
        await store.AddAsync("drifting", Measure(part, 200, seed: 2), token);

        var metrics = new TrainerMetrics();
        using var key = PackageSigning.CreateKey();
        var settings = new FieldPatSettings
        {
            // Nobody listens on this port: the session's connect fails.
            Broker = new BrokerOptions { Host = "127.0.0.1", Port = UnusedPort(), UseTls = false, AllowPlaintext = true, ClientId = "watch" },
            Task = VowelDataset.Load(),
            System = "electronic",
            SigningKey = key,
            CalibrationSet = [1],
        };
        var service = new FieldUpdateService(store, new FieldUpdatePolicy { DriftThreshold = 0.15, Cooldown = TimeSpan.Zero, MinimumSamples = 100, DriftSamples = 200 }, new FieldPatSession(settings, metrics), NullLogger.Instance, metrics);
        var model = PnnArchitectures.ForSystem("electronic", part, 12, 7, 64, seed: 1);
        service.Track(new FieldDevice("odd", model, 1, twin, DateTimeOffset.UtcNow));
        var drifting = new FieldDevice("drifting", model, 1, twin, DateTimeOffset.UtcNow);
        service.Track(drifting);

        Assert.Empty(await service.CheckOnceAsync(token));
        Assert.NotNull(drifting.BaselineDrift);

        // The part warms up: its newest measurements move away from the twin, a session is due, and it fails.
        part.AmbientShiftKelvin = 300;
        await store.AddAsync("drifting", Measure(part, 200, seed: 3), token);
        Assert.Empty(await service.CheckOnceAsync(token));

        Assert.Equal(1, metrics.FieldUpdates.WithLabels("drifting", "drift", "failed").Value);
        Assert.Equal(1, drifting.Version);
        Assert.Empty(drifting.History);
    }

    private static MeasurementBatch Measure(SimulatedDevice part, int count, ulong seed)
    {
        var drives = PatLoopTests.Drives(part.Spec, count, seed);
        var responses = new float[count * part.Spec.OutputSize];
        part.Forward(drives, responses);
        var batch = Batch(part.Spec.InputSize, part.Spec.DriveLength, part.Spec.OutputSize, count, seed);
        return new MeasurementBatch(batch.InputSize, batch.DriveLength, batch.OutputSize, [.. batch.Ids], [.. batch.Timestamps], [.. batch.Inputs], drives, responses);
    }

    private static MeasurementBatch Batch(int inputs, int driveLength, int outputs, int count, ulong seed)
    {
        var ids = new Guid[count];
        var times = new long[count];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            ids[i] = Guid.NewGuid();
            times[i] = now + i + ((long)seed * 10_000);
        }

        return new MeasurementBatch(inputs, driveLength, outputs, ids, times, new float[count * inputs], new float[count * driveLength], new float[count * outputs]);
    }

    /// <summary>A free loopback port nothing listens on.</summary>
    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
