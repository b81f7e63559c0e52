using System.Diagnostics;

namespace Edge.Tests.Shared.Faults;

/// <summary>Where the bench finds the executables it drives.</summary>
/// <param name="Agent">Path of <c>edge-agent</c>.</param>
/// <param name="Trainer">Path of <c>edge-trainer</c>.</param>
public sealed record FaultExecutables(string Agent, string Trainer)
{
    /// <summary>The executables built next to the running assembly (test and bench projects reference both).</summary>
    public static FaultExecutables BesideThisAssembly() => new(
        Path.Combine(AppContext.BaseDirectory, "edge-agent"), Path.Combine(AppContext.BaseDirectory, "edge-trainer"));
}

/// <summary>
/// One repetition's field: the shipped broker, one or two agents, <c>edge-trainer serve --store</c> and a PAT driver
/// per agent, all real processes in a folder of their own, on one clock.
/// </summary>
public sealed class FaultScene : IAsyncDisposable
{
    private static readonly SemaphoreSlim PortGate = new(1, 1);
    private readonly FaultExecutables _executables;
    private readonly List<PatDriver> _drivers = [];

    private FaultScene(string folder, FaultBroker broker, FaultExecutables executables)
    {
        Folder = folder;
        Broker = broker;
        _executables = executables;
    }

    /// <summary>The bench clock (seconds since the scene started).</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>The scene's folder.</summary>
    public string Folder { get; }

    /// <summary>mosquitto with the shipped configuration.</summary>
    public FaultBroker Broker { get; }

    /// <summary>The agents.</summary>
    public List<FaultAgent> Agents { get; } = [];

    /// <summary>The trainer's store.</summary>
    public string StorePath => Path.Combine(Folder, "trainer.db");

    /// <summary>The running trainer, or null while it is down.</summary>
    public FieldProcess? Trainer { get; private set; }

    /// <summary>Trainer (re)starts.</summary>
    public int TrainerStarts { get; private set; }

    /// <summary>Bench-clock seconds at which the row injected its fault (null until it did).</summary>
    public double? FaultAt { get; private set; }

    /// <summary>Per driver, the first tag sent after the fault.</summary>
    public List<int> FirstTagAfterFault { get; } = [];

    /// <summary>What the row observed besides the counts.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Promises the row saw broken besides losses (a store that boots no valid model, a crash).</summary>
    public List<string> Violations { get; } = [];

    /// <summary>
    /// Marks the instant the fault took effect — the process dead, the disk full (recovery counts from here).
    /// </summary>
    public void MarkFault()
    {
        FaultAt = Clock.Elapsed.TotalSeconds;
        FirstTagAfterFault.Clear();
        FirstTagAfterFault.AddRange(_drivers.Select(d => d.Sent));
    }

    /// <summary>The PAT drivers, one per agent.</summary>
    public IReadOnlyList<PatDriver> Drivers => _drivers;

    /// <summary>
    /// Makes the field: certificates for <paramref name="agents"/> devices, the broker (with or without
    /// persistence) started, agents configured (not started: a row may prepare their disks first).
    /// </summary>
    public static async Task<FaultScene> CreateAsync(
        string folder, FaultExecutables executables, int agents, bool persistence = true)
    {
        ArgumentNullException.ThrowIfNull(executables);
        var ids = Enumerable.Range(0, agents).Select(i => $"fault-{(char)('a' + i)}").ToArray();
        // One scene at a time from picking free ports to the broker listening on them: scenes run side by side.
        await PortGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var broker = await FaultBroker.CreateAsync(Path.Combine(folder, "broker"), ids, persistence)
                .ConfigureAwait(false);
            var scene = new FaultScene(folder, broker, executables);
            foreach (var id in ids)
            {
                scene.Agents.Add(new FaultAgent(executables.Agent, broker, id, Path.Combine(folder, id)));
            }

            await broker.StartAsync().ConfigureAwait(false);
            return scene;
        }
        finally
        {
            PortGate.Release();
        }
    }

    /// <summary>Starts (or restarts) <c>edge-trainer serve --store</c> with <paramref name="extra"/> options.
    /// </summary>
    public void StartTrainer(params string[] extra)
    {
        Trainer = FieldProcess.Start(
            _executables.Trainer, ["serve", "--store", StorePath, .. Broker.TrainerArguments(), .. extra]);
        TrainerStarts++;
    }

    /// <summary>Runs another <c>edge-trainer</c> command (e.g. <c>publish</c>) against the scene's broker.</summary>
    public FieldProcess StartTrainerCommand(IEnumerable<string> arguments) =>
        FieldProcess.Start(_executables.Trainer, [.. arguments, .. Broker.TrainerArguments()]);

    /// <summary>kill -9 of the trainer.</summary>
    public void KillTrainer()
    {
        Trainer?.Dispose();
        Trainer = null;
    }

    /// <summary>Starts the agents that are not running.</summary>
    public void StartAgents()
    {
        foreach (var agent in Agents.Where(a => a.Process is null))
        {
            agent.Start();
        }
    }

    /// <summary>Starts one driver per agent.</summary>
    public void StartDrivers(int drivesPerRequest, TimeSpan interval)
    {
        foreach (var agent in Agents)
        {
            var driver = new PatDriver(Broker, agent.DeviceId, drivesPerRequest, interval, Clock);
            _drivers.Add(driver);
            driver.Start();
        }
    }

    /// <summary>
    /// Waits until the trainer's ingest is connected and subscribed (up to 90 s), so traffic starts into a field whose
    /// trainer takes batches: a batch sent before its first subscription waits for the agent's 30-s resend, which
    /// measures the start, not the fault.
    /// </summary>
    public async Task WaitIngestAsync()
    {
        var deadline = Clock.Elapsed + TimeSpan.FromSeconds(90);
        while (Trainer is { } trainer && trainer.Matching("Ingest connected to").Count == 0)
        {
            if (Clock.Elapsed > deadline)
            {
                throw new TimeoutException("the trainer's ingest did not connect within 90 s; it wrote:\n"
                    + trainer.Tail());
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until every agent answered at least one drive and the trainer's ingest is subscribed (the field is up:
    /// a fault must not land before the trainer ever took a batch), up to 90 s.
    /// </summary>
    public async Task WaitAnsweringAsync()
    {
        var deadline = Clock.Elapsed + TimeSpan.FromSeconds(90);
        while (_drivers.Any(d => d.Answered.Count == 0)
            || (Trainer is { } trainer && trainer.Matching("Ingest connected to").Count == 0))
        {
            if (Clock.Elapsed > deadline && _drivers.All(d => d.Answered.Count > 0))
            {
                throw new TimeoutException("the trainer's ingest did not connect within 90 s; it wrote:\n"
                    + Trainer?.Tail());
            }

            if (Clock.Elapsed > deadline)
            {
                var agent = Agents[_drivers.FindIndex(d => d.Answered.Count == 0)];
                throw new TimeoutException($"{agent.DeviceId} answered nothing within 90 s; it wrote:\n"
                    + (agent.Process?.Tail() ?? agent.LastWords));
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until every agent answered a drive sent after the fault (polled, up to 120 s: a row that never
    /// recovers shows as such in the count), then lets the traffic run <see cref="FaultVolume.After"/> seconds more.
    /// </summary>
    public async Task AfterRecoveryAsync(FaultVolume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var deadline = Clock.Elapsed + TimeSpan.FromSeconds(120);
        while (Clock.Elapsed < deadline && !Recovered())
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        await PauseAsync(volume.After).ConfigureAwait(false);
    }

    private bool Recovered()
    {
        for (var i = 0; i < _drivers.Count; i++)
        {
            var first = FirstTagAfterFault.Count > i ? FirstTagAfterFault[i] : 0;
            if (!_drivers[i].AnsweredSince(first))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Waits <paramref name="seconds"/> on the bench clock.</summary>
    public static Task PauseAsync(double seconds) => Task.Delay(TimeSpan.FromSeconds(seconds));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Side by side: the count is done, and each kill waits for its own process's exit (seconds under load).
        await Task.WhenAll(_drivers.Select(d => d.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Task.WhenAll(Agents.Select(a => Task.Run(a.Dispose)).Append(Task.Run(KillTrainer))).ConfigureAwait(false);
        Broker.Dispose();
    }
}
