namespace Edge.Trainer.Live.Updates;

/// <summary>Where a model version of a device stands in the trainer's ledger.</summary>
public enum FieldVersionState
{
    /// <summary>A package the operator named with <c>--watch</c> (made elsewhere, deployed by hand).</summary>
    Watched,

    /// <summary>Offered; no verdict yet (or the trainer stopped before one came).</summary>
    Offered,

    /// <summary>The agent validated and activated it.</summary>
    Accepted,

    /// <summary>The agent refused it.</summary>
    Refused,

    /// <summary>No verdict came within the offer timeout; the agent's status tells later whether it runs it.</summary>
    Unanswered,
}

/// <summary>How a field session ended.</summary>
public enum FieldSessionOutcome
{
    /// <summary>The agent activated the new version.</summary>
    Accepted,

    /// <summary>The agent refused it (kept what it runs).</summary>
    Refused,

    /// <summary>The session did not complete (agent offline, broker down, no verdict).</summary>
    Failed,
}

/// <summary>One model version of one device as the ledger knows it.</summary>
/// <param name="Version">The version number.</param>
/// <param name="Sha256">Hex SHA-256 of the package, when the trainer had the package.</param>
/// <param name="State">Watched, offered, accepted, refused or unanswered.</param>
/// <param name="Verdict">The agent's words on it, if any.</param>
/// <param name="PackagePath">Where the package is kept, if it is.</param>
/// <param name="DriftBaseline">The drift score measured just after it began to run (null until measured).</param>
/// <param name="At">When it was recorded.</param>
public sealed record FieldVersionRecord(
    int Version,
    string? Sha256,
    FieldVersionState State,
    string? Verdict,
    string? PackagePath,
    double? DriftBaseline,
    DateTimeOffset At)
{
    /// <summary>
    /// The agent's live accuracy (calibration probes on the device) first published while it ran this version: the
    /// reference the watch measures accuracy loss against (null until published).
    /// </summary>
    public double? AccuracyBaseline { get; init; }
}

/// <summary>A device's last session and what is pending for it.</summary>
/// <param name="LastSession">When the last session (of any outcome) ended.</param>
/// <param name="LastReason">Why it ran (drift, schedule, operator).</param>
/// <param name="LastOutcome">How it ended.</param>
/// <param name="LastDetail">The agent's verdict or the failure, in words.</param>
/// <param name="LastCompleted">When the last accepted or refused session ended (the cooldown counts from here).</param>
/// <param name="RefusedVersion">The version refused since the last acceptance, if any.</param>
/// <param name="RefusedRise">The drift rise when the refused session started (null: there was no score).</param>
/// <param name="Requested">When an operator asked for an update that has not run yet.</param>
public sealed record FieldDeviceRecord(
    DateTimeOffset? LastSession,
    string? LastReason,
    FieldSessionOutcome? LastOutcome,
    string? LastDetail,
    DateTimeOffset? LastCompleted,
    int? RefusedVersion,
    double? RefusedRise,
    DateTimeOffset? Requested)
{
    /// <summary>A device the ledger has no sessions of.</summary>
    public static FieldDeviceRecord Empty { get; } = new(null, null, null, null, null, null, null, null);

    /// <summary>
    /// Refused sessions in a row since the last acceptance or a new reason (the wait before the next try doubles
    /// with each).
    /// </summary>
    public int Refusals { get; init; }

    /// <summary>The live-accuracy fall when the refused session started (null: none, or no live accuracy).</summary>
    public double? RefusedDrop { get; init; }

    /// <summary>
    /// The device's own accuracy reference: the best live accuracy any of its versions settled at (null: none yet,
    /// or reset by an operator). It only rises by itself, so a partial recovery does not become the new normal.
    /// </summary>
    public double? AccuracyReference { get; init; }

    /// <summary>The version that settled at <see cref="AccuracyReference"/>.</summary>
    public int? ReferenceVersion { get; init; }

    /// <summary>
    /// Completed sessions since the part last ran within the drop threshold of <see cref="AccuracyReference"/>: the
    /// sessions that have not brought it back (each doubles the wait before the next).
    /// </summary>
    public int RecoverySessions { get; init; }
}

/// <summary>A session to record in the ledger.</summary>
/// <param name="Started">When it started (an operator request older than this is consumed by it).</param>
/// <param name="At">When it ended.</param>
/// <param name="Reason">Why it ran.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">The verdict or failure in words.</param>
/// <param name="Version">The version offered, if it came that far.</param>
/// <param name="DriftRise">The drift rise when it started, if scored.</param>
public sealed record FieldSessionRecord(
    DateTimeOffset Started,
    DateTimeOffset At,
    string Reason,
    FieldSessionOutcome Outcome,
    string? Detail,
    int? Version,
    double? DriftRise)
{
    /// <summary>The live-accuracy fall when it started, if the agent published one.</summary>
    public double? AccuracyDrop { get; init; }

    /// <summary>
    /// True when it started for a new reason (an operator's request, a fall grown by another threshold): a refusal
    /// of it starts the count of refusals in a row afresh.
    /// </summary>
    public bool NewReason { get; init; }
}
