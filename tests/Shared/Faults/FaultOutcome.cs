namespace Edge.Tests.Shared.Faults;

/// <summary>How much traffic a row drives: seconds before and after the fault, request size and pace.</summary>
/// <param name="Before">Seconds of traffic before the fault.</param>
/// <param name="After">Seconds of traffic after the fault ends.</param>
/// <param name="DrivesPerRequest">Drives per PAT request of a mid-stream row.</param>
/// <param name="Interval">Seconds between requests of a mid-stream row.</param>
/// <param name="Pause">Seconds the trainer stays stopped in the SIGSTOP row.</param>
public sealed record FaultVolume(double Before, double After, int DrivesPerRequest, double Interval, double Pause)
{
    /// <summary>The bench's volume: ≈ 200 drives/s per agent, 10 s either side, the trainer stopped 60 s.</summary>
    public static FaultVolume Bench { get; } = new(10, 10, 8, 0.04, 60);

    /// <summary>
    /// CI's: a few hundred drives per row, the trainer stopped 30 s (past the broker's keep-alive cutoff, where a
    /// trainer that never ingested again was found).
    /// </summary>
    public static FaultVolume Short { get; } = new(3, 6, 8, 0.04, 30);
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
}
