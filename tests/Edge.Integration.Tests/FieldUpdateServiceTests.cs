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

/// <summary>
/// The drift watch keeps going through what can fail — unusable measurements, a broker that does not answer, an
/// agent that leaves mid-session — and says what it decided and why.
/// </summary>
public sealed class FieldUpdateServiceTests
{
    [Fact]
    public async Task Unscorable_measurements_and_an_unreachable_broker_are_logged_counted_and_the_watch_goes_on()
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
        // Nobody listens on this port: the agents' status cannot be read.
        var session = new FieldPatSession(Settings(Plain(UnusedPort()), key), metrics);
        var service = new FieldUpdateService(store, Policy, session, NullLogger.Instance, metrics);
        var model = PnnArchitectures.ForSystem("electronic", part, 12, 7, 64, seed: 1);
        service.Track(new FieldDevice("odd", model, 1, twin, DateTimeOffset.UtcNow));
        var drifting = new FieldDevice("drifting", model, 1, twin, DateTimeOffset.UtcNow);
        service.Track(drifting);

        Assert.Empty(await service.CheckOnceAsync(token));
        Assert.NotNull(drifting.BaselineDrift);

        // The part warms up: an update would be due, but with no status from the agent nothing is sent to it.
        part.AmbientShiftKelvin = 300;
        await store.AddAsync("drifting", Measure(part, 200, seed: 3), token);
        Assert.Empty(await service.CheckOnceAsync(token));

        Assert.Equal(2, metrics.FieldDecisions.WithLabels("odd", "wait", "check-failed").Value);
        Assert.Equal(1, metrics.FieldDecisions.WithLabels("drifting", "wait", "agent-status-unknown").Value);
        Assert.True(metrics.DriftRise.WithLabels("drifting").Value > Policy.DriftThreshold);
        Assert.Equal(0, metrics.FieldUpdates.WithLabels("drifting", "drift", "failed").Value);
        Assert.Equal(1, drifting.Version);
        Assert.Empty(drifting.History);
    }

    [Fact]
    public async Task An_agent_that_goes_offline_mid_session_ends_it_at_once_in_plain_words_and_gets_no_more_requests()
    {
        var token = TestContext.Current.CancellationToken;
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var store = await MeasurementStore.OpenAsync(folder.Path("store.db"), token);
        var system = PhysicalSystems.Get("electronic");
        var part = system.CreateDevice("ghost", 1);
        await using var ghost = await StandInAgent.ConnectAsync(broker.Port, "ghost");
        await ghost.AnnounceAsync(StatusMessage.Online, part.Spec);
        ghost.OnRequest = () => ghost.AnnounceAsync(StatusMessage.Offline, part.Spec);

        var metrics = new TrainerMetrics();
        using var key = PackageSigning.CreateKey();
        var session = new FieldPatSession(Settings(Plain(broker.Port), key), metrics);
        var service = new FieldUpdateService(store, Policy, session, NullLogger.Instance, metrics);
        var decisions = new List<FieldDecision>();
        service.Decided += (_, decision) => decisions.Add(decision);
        var model = PnnArchitectures.ForSystem("electronic", part, 12, 7, 64, seed: 1);
        var twin = new PhysicsTwin(system.Physics, "nominal");
        service.Track(new FieldDevice("ghost", model, 1, twin, DateTimeOffset.UtcNow));
        await service.Ledger.RequestAsync("ghost", DateTimeOffset.UtcNow, token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Empty(await service.CheckOnceAsync(token));

        // Failed as soon as the status said offline, not after four 5-s PAT timeouts; the words say what happened.
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 15);
        Assert.Equal(new FieldDecision(UpdateReason.Operator, "operator-request", null), decisions[0]);
        Assert.Equal(1, metrics.FieldUpdates.WithLabels("ghost", "operator", "failed").Value);
        var ledger = await service.Ledger.DeviceAsync("ghost", token);
        Assert.Equal(FieldSessionOutcome.Failed, ledger.LastOutcome);
        Assert.Equal("Agent 'ghost' went offline (its status says so); PAT requests stopped.", ledger.LastDetail);
        Assert.NotNull(ledger.Requested);

        // The request stays pending, but an agent whose status says offline gets no PAT requests.
        var sent = ghost.Requests.Count;
        Assert.Empty(await service.CheckOnceAsync(token));
        Assert.Equal(new FieldDecision(UpdateReason.None, "agent-offline", null), decisions[^1]);
        Assert.Equal(sent, ghost.Requests.Count);
        Assert.Equal(1, await service.Ledger.MaxVersionAsync("ghost", token)); // only the v1 it runs: nothing offered
    }

    [Fact]
    public async Task The_watch_follows_the_version_the_agents_status_names_before_deciding_anything()
    {
        var token = TestContext.Current.CancellationToken;
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var store = await MeasurementStore.OpenAsync(folder.Path("store.db"), token);
        var system = PhysicalSystems.Get("electronic");
        var part = system.CreateDevice("moved", 1);
        await using var agent = await StandInAgent.ConnectAsync(broker.Port, "moved");
        using var key = PackageSigning.CreateKey();
        var session = new FieldPatSession(Settings(Plain(broker.Port), key), new TrainerMetrics());
        var service = new FieldUpdateService(store, Policy, session, NullLogger.Instance);
        var model = PnnArchitectures.ForSystem("electronic", part, 12, 7, 64, seed: 1);
        var trained = DateTimeOffset.UtcNow.AddHours(-1);
        var device = new FieldDevice("moved", model, 2, new PhysicsTwin(system.Physics, "nominal"), trained);
        service.Track(device);
        var book = new FieldVersionBook(service.Ledger, null, TimeProvider.System);

        // Someone else deployed v5: the next offer must be newer than what the agent runs.
        await agent.AnnounceAsync(StatusMessage.Online, part.Spec, modelVersion: 5);
        Assert.Empty(await service.CheckOnceAsync(token));
        Assert.Equal((5, 6), (device.Version, await book.NextAsync(device, token)));

        // A rollback to v4, announced after v5 was trained, is followed too.
        await agent.AnnounceAsync(StatusMessage.Online, part.Spec, modelVersion: 4);
        Assert.Empty(await service.CheckOnceAsync(token));
        Assert.Equal((4, 6), (device.Version, await book.NextAsync(device, token)));
    }

    [Fact]
    public async Task A_restarted_watch_keeps_the_live_accuracy_reference_so_a_drifted_part_stays_drifted()
    {
        var token = TestContext.Current.CancellationToken;
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var system = PhysicalSystems.Get("electronic");
        var part = system.CreateDevice("worn", 1);
        await using var agent = await StandInAgent.ConnectAsync(broker.Port, "worn");
        using var key = PackageSigning.CreateKey();
        var policy = Policy with { Cooldown = TimeSpan.FromHours(1) };
        var trained = DateTimeOffset.UtcNow.AddHours(-2);

        // The first live accuracy the agent publishes for the running v1 is its reference.
        await agent.AnnounceAsync(StatusMessage.Online, part.Spec, modelVersion: 1, liveAccuracy: 0.94);
        await using (var store = await MeasurementStore.OpenAsync(folder.Path("store.db"), token))
        {
            var (first, device, decisions) = Watch(store);
            Assert.Empty(await first.CheckOnceAsync(token));
            Assert.Equal(("below-threshold", 0.94), (decisions[^1].Reason, device.BaselineAccuracy));

            // A drift session was refused a minute ago: its cooldown runs.
            var now = DateTimeOffset.UtcNow;
            var refusal = new FieldSessionRecord(
                now.AddMinutes(-5), now.AddMinutes(-1), "drift", FieldSessionOutcome.Refused, "no better", 2, null);
            await first.Ledger.RecordSessionAsync("worn", refusal, token);
        }

        // The part loses 33 points while the trainer is down; the restarted one still measures from 94 %.
        await agent.AnnounceAsync(StatusMessage.Online, part.Spec, modelVersion: 1, liveAccuracy: 0.61);
        await using (var store = await MeasurementStore.OpenAsync(folder.Path("store.db"), token))
        {
            var (second, device, decisions) = Watch(store);
            Assert.Empty(await second.CheckOnceAsync(token));
            Assert.Equal(0.94, device.BaselineAccuracy);
            Assert.Equal("cooldown", decisions[^1].Reason); // drifted; waits for the cooldown, then tries again
            Assert.NotNull(decisions[^1].Until);
        }

        (FieldUpdateService, FieldDevice, List<FieldDecision>) Watch(MeasurementStore store)
        {
            var session = new FieldPatSession(Settings(Plain(broker.Port), key));
            var service = new FieldUpdateService(store, policy, session, NullLogger.Instance);
            var model = PnnArchitectures.ForSystem("electronic", part, 12, 7, 64, seed: 1);
            var device = new FieldDevice("worn", model, 1, new PhysicsTwin(system.Physics, "nominal"), trained);
            service.Track(device);
            var decisions = new List<FieldDecision>();
            service.Decided += (_, decision) => decisions.Add(decision);
            return (service, device, decisions);
        }
    }

    private static readonly FieldUpdatePolicy Policy = new()
    {
        DriftThreshold = 0.15,
        Cooldown = TimeSpan.Zero,
        MinimumSamples = 100,
        DriftSamples = 200,
    };

    /// <summary>Plain MQTT to <paramref name="port"/> on this machine, as the watch's trainer identity.</summary>
    private static BrokerOptions Plain(int port) =>
        new() { Host = "127.0.0.1", Port = port, UseTls = false, AllowPlaintext = true, ClientId = "watch" };

    private static FieldPatSettings Settings(BrokerOptions broker, System.Security.Cryptography.ECDsa key) => new()
    {
        Broker = broker,
        Task = VowelDataset.Load(),
        System = "electronic",
        SigningKey = key,
        CalibrationSet = [1],
    };

    private static MeasurementBatch Measure(SimulatedDevice part, int count, ulong seed)
    {
        var drives = PatLoopTests.Drives(part.Spec, count, seed);
        var responses = new float[count * part.Spec.OutputSize];
        part.Forward(drives, responses);
        var batch = Batch(part.Spec.InputSize, part.Spec.DriveLength, part.Spec.OutputSize, count, seed);
        return new MeasurementBatch(batch.InputSize, batch.DriveLength, batch.OutputSize, [.. batch.Ids],
            [.. batch.Timestamps], [.. batch.Inputs], drives, responses);
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

        return new MeasurementBatch(inputs, driveLength, outputs, ids, times, new float[count * inputs],
            new float[count * driveLength], new float[count * outputs]);
    }

    /// <summary>A free loopback port nothing listens on.</summary>
    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
