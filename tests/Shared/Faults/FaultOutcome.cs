namespace Edge.Tests.Shared.Faults;

/// <summary>
/// How much traffic a row drives: seconds before the fault, how long a held fault lasts, seconds after recovery,
/// request size and pace.
/// </summary>
/// <param name="Before">Seconds of traffic before the fault.</param>
/// <param name="After">
/// Seconds of traffic once every agent answers again after the fault (the bench polls for that answer rather than
/// waiting a fixed time, so a slow restart on a loaded machine is waited for and a fast one costs nothing).
/// </param>
/// <param name="DrivesPerRequest">Drives per PAT request of a mid-stream row.</param>
/// <param name="Interval">Seconds between requests of a mid-stream row.</param>
/// <param name="Pause">Seconds the trainer stays stopped in the SIGSTOP row.</param>
/// <param name="Hold">Seconds a held fault lasts: a disk full, the clock a day ahead.</param>
public sealed record FaultVolume(
    double Before, double After, int DrivesPerRequest, double Interval, double Pause, double Hold)
{
    /// <summary>
    /// The bench's volume: ≈ 200 drives/s per agent, 3 s before the fault and 3 s after recovery (≈ 1 200 drives
    /// around each fault, the faults themselves unchanged), the trainer stopped 60 s, disks full for 10 s.
    /// </summary>
    public static FaultVolume Bench { get; } = new(3, 3, 8, 0.04, 60, 10);

    /// <summary>
    /// CI's: a few hundred drives per row, the trainer stopped 30 s (past the broker's keep-alive cutoff, where a
    /// trainer that never ingested again was found), held faults 6 s.
    /// </summary>
    public static FaultVolume Short { get; } = new(3, 2, 8, 0.04, 30, 6);

    /// <summary>
    /// Streams as long as the first 112 runs' (docs/reliability.md): 10 s of traffic before the fault and 10 s
    /// after recovery.
    /// </summary>
    public static FaultVolume Long { get; } = new(10, 10, 8, 0.04, 60, 10);
}

/// <summary>One repetition of one fault row.</summary>
/// <param name="Row">Row name.</param>
/// <param name="Repetition">1-based repetition.</param>
/// <param name="Answered">Drives the agents replied to.</param>
/// <param name="Stored">Of those, distinct drives in the trainer's store.</param>
/// <param name="Pending">Of the answered drives not stored, those still waiting in an agent's outbox at the end
/// (delayed, not lost: the agent resends them until the trainer acknowledges).</param>
/// <param name="Duplicated">Extra stored copies of a drive (a request played twice, stored under new ids).</param>
/// <param name="RecoverySeconds">
/// From the fault taking effect to the reply to the first drive sent after it whose measurement reached the store
/// (null: none did).
/// </param>
/// <param name="DrainSeconds">End of traffic to the store holding every answered drive (null: it never did).</param>
/// <param name="AgentRestarts">Agent exits the bench did not cause (each restarted as systemd would).</param>
/// <param name="Note">What else the row saw (exit codes, the first error line), or empty.</param>
/// <param name="Violations">Promises broken besides losses (e.g. a store that booted no valid model).</param>
public sealed record FaultOutcome(
    string Row,
    int Repetition,
    int Answered,
    int Stored,
    int Pending,
    int Duplicated,
    double? RecoverySeconds,
    double? DrainSeconds,
    int AgentRestarts,
    string Note,
    IReadOnlyList<string> Violations)
{
    /// <summary>Answered drives the store does not hold.</summary>
    public int Lost => Answered - Stored;

    /// <summary>
    /// Seconds the repetition spent in each phase, in order: <c>field</c> (certificates, configuration, broker
    /// started), <c>prepare</c> (the row's disks and files), <c>first-answer</c> (trainer and agents started until
    /// every agent answered), <c>fault</c> (traffic before, the fault, traffic after), <c>replies</c>,
    /// <c>drain</c> (until the store held every answered drive) and <c>teardown</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> Phases { get; init; } = new Dictionary<string, double>();

    /// <summary>Seconds of the whole repetition (the sum of <see cref="Phases"/>).</summary>
    public double Seconds => Math.Round(Phases.Sum(p => p.Value), 1);
}
