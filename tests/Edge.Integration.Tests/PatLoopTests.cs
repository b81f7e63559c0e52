using Edge.Domain.Data;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Integration.Tests;

/// <summary>PAT against a live agent: request/response over a real broker, through MQTTnet's and mosquitto.</summary>
public sealed class PatLoopTests
{
    public static TheoryData<string> Brokers => ["mqttnet", "mosquitto"];

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task Agent_answers_pat_requests_with_its_device_forward_pass(string kind)
    {
        await using var broker = TestBroker.Create(kind);
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var agent = await AgentInstance.StartAsync(broker.Port, "pat-agent", folder.Path("outbox.db"));
        await using var remote = await RemoteDevice.ConnectAsync(Remote(broker.Port, "pat-agent"),
            cancellationToken: TestContext.Current.CancellationToken);

        // The same part with the same seed, fed the same drives in the same order, must measure the same values.
        var local = PhysicalSystems.Get(AgentInstance.System).CreateDevice("pat-agent", 7);
        Assert.Equal(local.Spec.ToJson(), remote.Spec.ToJson());
        var drives = Drives(local.Spec, 37, seed: 3);
        var expected = new float[37 * local.Spec.OutputSize];
        var actual = new float[expected.Length];
        await local.ForwardAsync(drives, expected, TestContext.Current.CancellationToken);
        await remote.ForwardAsync(drives, actual, TestContext.Current.CancellationToken);
        Assert.Equal(expected, actual);
        Assert.Equal(1, agent.Metrics.PatRequests.Value);
    }

    [Fact]
    public async Task Pat_through_a_remote_device_trains_to_the_same_accuracy_as_the_local_device()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var agent = await AgentInstance.StartAsync(broker.Port, "train-agent", folder.Path("outbox.db"));
        await using var remote = await RemoteDevice.ConnectAsync(Remote(broker.Port, "train-agent"),
            cancellationToken: TestContext.Current.CancellationToken);
        var local = PhysicalSystems.Get(AgentInstance.System).CreateDevice("train-agent", 7);

        var localResult = await TrainAsync(local);
        var remoteResult = await TrainAsync(remote);

        Assert.True(localResult.TestAccuracy > 0.5, $"local PAT reached only {localResult.TestAccuracy:P1}");
        // Identical device, noise stream and drive order: the remote path must reproduce the local run exactly.
        Assert.Equal(localResult.TestAccuracy, remoteResult.TestAccuracy);
        Assert.Equal(localResult.DrivesSent, remoteResult.DrivesSent);
        Assert.Equal(localResult.DrivesSent, (long)agent.Metrics.PatDrives.Value);
    }

    [Fact]
    public async Task Remote_device_retries_a_request_that_timed_out_and_reports_a_missing_agent_clearly()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        var options = Remote(broker.Port, "nobody-home") with { StatusTimeout = TimeSpan.FromMilliseconds(300) };
        var error = await Assert.ThrowsAsync<RemoteDeviceException>(()
            => RemoteDevice.ConnectAsync(options, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("nobody-home", error.Message, StringComparison.Ordinal);
        Assert.Contains("online status", error.Message, StringComparison.Ordinal);

        // An agent that says it is online but never answers: every attempt times out, each retry is counted, and
        // the error says so in plain words.
        var spec = PhysicalSystems.Get("electronic").CreateDevice("silent", 1).Spec;
        await using var silent = await StandInAgent.ConnectAsync(broker.Port, "silent");
        await silent.AnnounceAsync(StatusMessage.Online, spec);
        var metrics = new TrainerMetrics();
        var token = TestContext.Current.CancellationToken;
        var quick = Remote(broker.Port, "silent") with { AttemptTimeout = TimeSpan.FromMilliseconds(200), Retries = 2 };
        await using var remote = await RemoteDevice.ConnectAsync(quick, metrics, token);
        var drives = Drives(remote.Spec, 2, seed: 1);
        var unanswered = await Assert.ThrowsAsync<RemoteDeviceException>(
            async () => await remote.ForwardAsync(drives, new float[2 * remote.Spec.OutputSize], token));
        Assert.Equal(
            "Agent 'silent' did not answer a PAT request of 2 drives: no reply within 0.2 s, attempts: 3 "
            + "(is it online and serving?).",
            unanswered.Message);
        Assert.Equal(2, metrics.RemoteRetries.Value);
        Assert.Equal(3, silent.Requests.Count);
    }

    [Fact]
    public async Task Remote_device_stops_at_once_when_the_agent_goes_offline()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var agent = await AgentInstance.StartAsync(broker.Port, "vanishing", folder.Path("outbox.db"));
        var metrics = new TrainerMetrics();
        var token = TestContext.Current.CancellationToken;
        var patient = Remote(broker.Port, "vanishing") with { AttemptTimeout = TimeSpan.FromSeconds(5) };
        await using var remote = await RemoteDevice.ConnectAsync(patient, metrics, token);

        // A stopping agent publishes its offline status; the trainer sends nothing more and waits for no timeout.
        await agent.DisposeAsync();
        var drives = Drives(remote.Spec, 2, seed: 1);
        await Eventually.TrueAsync(() => remote.AgentOffline, "the offline status seen by the remote device");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gone = await Assert.ThrowsAsync<RemoteDeviceException>(
            async () => await remote.ForwardAsync(drives, new float[2 * remote.Spec.OutputSize], token));
        Assert.Equal("Agent 'vanishing' went offline (its status says so); PAT requests stopped.", gone.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 1);
        Assert.Equal(0, metrics.RemoteRetries.Value);
    }

    internal static RemoteDeviceOptions Remote(int port, string deviceId) => new()
    {
        DeviceId = deviceId,
        Broker = new BrokerOptions { Host = "127.0.0.1", Port = port, UseTls = false, AllowPlaintext = true,
            ClientId = "trainer-" + Guid.NewGuid().ToString("N")[..8] },
    };

    internal static float[] Drives(Edge.Domain.Specs.LayerSpec spec, int count, ulong seed)
    {
        var random = new NoiseSource(seed);
        var drives = new float[count * spec.DriveLength];
        for (var d = 0; d < count; d++)
        {
            for (var s = 0; s < spec.DriveLength; s++)
            {
                var range = spec.SegmentRange(s);
                drives[(d * spec.DriveLength) + s] = (float)random.NextUniform(range.Lo, range.Hi);
            }
        }

        return drives;
    }

    private static async Task<TrainingResult> TrainAsync(Edge.Domain.Devices.IPhysicalDevice device)
    {
        var task = VowelDataset.Load();
        var system = PhysicalSystems.Get(AgentInstance.System);
        var options = new TrainingOptions { Epochs = 8, LearningRate = 0.04, EvaluationPasses = 1, CurveEvery = 100 };
        var model = PnnArchitectures.ForSystem(system.Name, device, task.Train.FeatureCount, task.ClassCount,
            Math.Max(options.BatchSize, task.Test.Count), seed: 5);
        var twin = new PhysicsTwin(system.Physics, "nominal physics");
        return await PnnTrainer.TrainAsync(model, task, TrainingMode.Pat, twin, null, options, seed: 5,
            cancellationToken: TestContext.Current.CancellationToken);
    }
}
