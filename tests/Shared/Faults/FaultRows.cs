using System.Diagnostics;

namespace Edge.Tests.Shared.Faults;

/// <summary>The rows of the fault bench (docs/reliability.md), in table order.</summary>
public static partial class FaultRows
{
    private const string FakeTimeLibrary = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    /// <summary>Every row.</summary>
    public static IReadOnlyList<FaultRow> All { get; } =
    [
        new("agent-kill", "kill -9 the agent mid-stream, restarted after 1 s", 1, KillAgentAsync),
        new("agent-kill-light", "kill -9 the agent under light traffic (1 drive / 0.3 s)", 1, KillAgentLightAsync)
        {
            Traffic = _ => (1, 0.3),
        },
        new("broker-kill-persistent-agent-first", "kill -9 mosquitto (persistence) while the trainer is away; "
            + "agents reconnect first", 1, BrokerKillAgentFirstAsync),
        new("broker-kill-persistent-trainer-first", "kill -9 mosquitto (persistence); the trainer reconnects "
            + "first", 1, BrokerKillTrainerFirstAsync),
        new("broker-kill-volatile-agent-first", "kill -9 mosquitto without persistence while the trainer is "
            + "away; agents reconnect first", 1, BrokerKillAgentFirstAsync) { Persistence = false },
        new("broker-kill-volatile-trainer-first", "kill -9 mosquitto without persistence; the trainer "
            + "reconnects first", 1, BrokerKillTrainerFirstAsync) { Persistence = false },
        new("trainer-kill", "kill -9 the trainer mid-ingest, restarted after 1 s", 1, KillTrainerAsync),
        new("trainer-pause", "trainer SIGSTOP under load, two agents, measurement batches of 16", 2, PauseTrainerAsync)
        {
            Traffic = v => (2 * v.DrivesPerRequest, v.Interval),
            Prepare = scene => ForAgents(scene, a => a.Set("EDGE_MQTT__MEASUREMENTBATCHSIZE", "16")),
        },
        new("outbox-disk-full", "disk full under the outbox (16 MB tmpfs filled mid-stream, then freed)", 1,
            FillOutboxDiskAsync)
        {
            Prepare = MountOutboxVolumeAsync,
            Cleanup = UnmountOutboxVolume,
            SkipReason = () => Environment.UserName == "root" && File.Exists("/bin/mount")
                ? null
                : "needs root to mount a tmpfs under the outbox",
        },
        new("broker-disk-full", "disk full under mosquitto's persistence (8 MB tmpfs filled) while the trainer "
            + "is away; mosquitto kill -9 on the full disk, restarted, then freed", 1, FillBrokerDiskAsync)
        {
            Prepare = MountBrokerVolumeAsync,
            Cleanup = UnmountBrokerVolume,
            SkipReason = () => Environment.UserName == "root" && File.Exists("/bin/mount")
                ? null
                : "needs root to mount a tmpfs under mosquitto's persistence",
        },
        new("corrupt-outbox", "the outbox database is garbage when the agent starts", 1, RunOnAsync)
        {
            Prepare = scene => File.WriteAllBytesAsync(
                scene.Agents[0].OutboxPath, [.. Enumerable.Repeat((byte)'x', 64 * 1024)]),
            FaultAtStart = true,
        },
        new("clock-jump", "the agent's wall clock jumps 1 day ahead, then back (libfaketime)", 1, JumpClockAsync)
        {
            Prepare = PrepareFakeTimeAsync,
            SkipReason = () => File.Exists(FakeTimeLibrary)
                ? null
                : "needs libfaketime (apt-get install faketime)",
        },
        new("install-power-loss", "power loss and kill -9 after every write step of a model install "
            + "(StoreCrashDrill); kill -9 of the running agent mid-install over MQTT", 1, KillMidInstallAsync)
        {
            Prepare = DrillAndInstallAsync,
        },
        new("corrupt-state", "the model store's state.json is garbage when the agent starts", 1, CheckStoreAsync)
        {
            Prepare = CorruptStateAsync,
            FaultAtStart = true,
        },
        new("store-disk-full", "disk full under the model store (4 MB tmpfs filled) while an offer arrives, "
            + "then freed and offered again", 1, OfferOnFullStoreAsync)
        {
            Prepare = MountStoreVolumeAsync,
            Cleanup = UnmountStoreVolume,
            SkipReason = () => Environment.UserName == "root" && File.Exists("/bin/mount")
                ? null
                : "needs root to mount a tmpfs under the model store",
        },
    ];

    /// <summary>The row called <paramref name="name"/>, or an error listing the names.</summary>
    public static FaultRow Named(string name) => All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException(
            $"Unknown fault row '{name}'. Rows: {string.Join(", ", All.Select(r => r.Name))}.");

    private static Task ForAgents(FaultScene scene, Action<FaultAgent> action)
    {
        scene.Agents.ForEach(action);
        return Task.CompletedTask;
    }

    private static async Task KillAgentAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        scene.Agents[0].Kill();
        scene.MarkFault();
        await FaultScene.PauseAsync(1).ConfigureAwait(false);
        scene.Agents[0].Start();
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    // Light traffic: the interesting measurements are the few recorded since the last batch went out.
    private static async Task KillAgentLightAsync(FaultScene scene, FaultVolume volume) =>
        await KillAgentAsync(scene, volume with { Before = 3 * volume.Before, After = 3 * volume.After })
            .ConfigureAwait(false);

    private static async Task BrokerKillAgentFirstAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        // The trainer goes away first: its persistent session collects the batches at the broker.
        scene.KillTrainer();
        await FaultScene.PauseAsync(2).ConfigureAwait(false);
        scene.Broker.Kill();
        scene.MarkFault();
        await FaultScene.PauseAsync(1).ConfigureAwait(false);
        await scene.Broker.StartAsync().ConfigureAwait(false);
        await FaultScene.PauseAsync(3).ConfigureAwait(false);
        scene.StartTrainer();
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    private static async Task BrokerKillTrainerFirstAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        // Stopped agents cannot reconnect: the trainer is back on the broker before them.
        scene.Agents.ForEach(a => a.Process?.Signal("STOP"));
        scene.Broker.Kill();
        scene.MarkFault();
        await FaultScene.PauseAsync(1).ConfigureAwait(false);
        await scene.Broker.StartAsync().ConfigureAwait(false);
        await FaultScene.PauseAsync(3).ConfigureAwait(false);
        scene.Agents.ForEach(a => a.Process?.Signal("CONT"));
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    private static async Task KillTrainerAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        scene.KillTrainer();
        scene.MarkFault();
        await FaultScene.PauseAsync(1).ConfigureAwait(false);
        scene.StartTrainer();
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    private static async Task PauseTrainerAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        scene.Trainer?.Signal("STOP");
        scene.MarkFault();
        await FaultScene.PauseAsync(volume.Pause).ConfigureAwait(false);
        scene.Trainer?.Signal("CONT");
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    private static string OutboxVolume(FaultScene scene) => Path.Combine(scene.Agents[0].Folder, "outbox-volume");

    private static async Task MountOutboxVolumeAsync(FaultScene scene)
    {
        var volume = Directory.CreateDirectory(OutboxVolume(scene)).FullName;
        await ShippedBrokerFiles.RunAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", volume)
            .ConfigureAwait(false);
        scene.Agents[0].Set("EDGE_MQTT__OUTBOXPATH", Path.Combine(volume, "outbox.db"));
    }

    private static void UnmountOutboxVolume(FaultScene scene)
    {
        using var umount = Process.Start("umount", ["-l", OutboxVolume(scene)]);
        umount.WaitForExit();
    }

    private static async Task FillOutboxDiskAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        var filler = Path.Combine(OutboxVolume(scene), "filler");
        await FillAsync(filler).ConfigureAwait(false);
        scene.MarkFault();
        await FaultScene.PauseAsync(volume.Hold).ConfigureAwait(false);
        File.Delete(filler);
        scene.Notes.Add($"disk full for {volume.Hold:0} s, then freed");
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    private static async Task RunOnAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before + volume.After).ConfigureAwait(false);
        var agent = scene.Agents[0];
        var setAside = Directory.GetFiles(agent.Folder, "outbox*").Select(Path.GetFileName);
        scene.Notes.Add($"agent folder: {string.Join(", ", setAside)}");
    }

    private static string FakeTimeFile(FaultScene scene) => Path.Combine(scene.Agents[0].Folder, "faketime.rc");

    private static async Task PrepareFakeTimeAsync(FaultScene scene)
    {
        await File.WriteAllTextAsync(FakeTimeFile(scene), "+0\n").ConfigureAwait(false);
        var agent = scene.Agents[0];
        agent.Set("LD_PRELOAD", FakeTimeLibrary);
        agent.Set("FAKETIME_TIMESTAMP_FILE", FakeTimeFile(scene));
        agent.Set("FAKETIME_CACHE_DURATION", "1");
        // Timers and timeouts run on the monotonic clock, which a wall-clock step does not move.
        agent.Set("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }

    private static async Task JumpClockAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        await File.WriteAllTextAsync(FakeTimeFile(scene), "+1d\n").ConfigureAwait(false);
        scene.MarkFault();
        await FaultScene.PauseAsync(volume.Hold).ConfigureAwait(false);
        await File.WriteAllTextAsync(FakeTimeFile(scene), "+0\n").ConfigureAwait(false);
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }
}
