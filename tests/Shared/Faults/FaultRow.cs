namespace Edge.Tests.Shared.Faults;

/// <summary>
/// One fault of the bench: the field it needs, what it does to the field before the processes start
/// (<see cref="Prepare"/>), and the fault itself with the traffic around it (<see cref="Inject"/>).
/// </summary>
/// <param name="Name">Short name (<c>--rows</c>, the test's theory data).</param>
/// <param name="Fault">What is done, as the table says it.</param>
/// <param name="Agents">Agents in the field.</param>
/// <param name="Inject">Traffic before, the fault, recovery, traffic after.</param>
public sealed record FaultRow(string Name, string Fault, int Agents, Func<FaultScene, FaultVolume, Task> Inject)
{
    /// <summary>mosquitto with its persistence (the shipped configuration) or without.</summary>
    public bool Persistence { get; init; } = true;

    /// <summary>Drives per request and seconds between requests, from the volume.</summary>
    public Func<FaultVolume, (int Drives, double Interval)> Traffic { get; init; } =
        v => (v.DrivesPerRequest, v.Interval);

    /// <summary>Work on the field before any process starts (disks, corrupt files, agent settings).</summary>
    public Func<FaultScene, Task> Prepare { get; init; } = _ => Task.CompletedTask;

    /// <summary>Undoes what <see cref="Prepare"/> did outside the scene's folder (mounts).</summary>
    public Action<FaultScene> Cleanup { get; init; } = _ => { };

    /// <summary>Why the row cannot run here, or null.</summary>
    public Func<string?> SkipReason { get; init; } = () => null;

    /// <summary>True when the row's agents may not answer at start (the fault is in place before it).</summary>
    public bool FaultAtStart { get; init; }
}
