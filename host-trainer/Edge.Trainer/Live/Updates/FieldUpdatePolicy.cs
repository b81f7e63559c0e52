namespace Edge.Trainer.Live.Updates;

/// <summary>When the trainer re-trains a deployed device on its own, without a person.</summary>
public sealed record FieldUpdatePolicy
{
    /// <summary>How often each device's drift is scored.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Re-train at least this often even without drift; null: only on drift.</summary>
    public TimeSpan? Schedule { get; init; }

    /// <summary>
    /// Relative rise of the device-vs-twin NMSE on the newest sampled traffic over its level just after the device's
    /// model was trained (0.15: 15 % worse), above which a drift update starts. Relative to the device's own level,
    /// not absolute: how well a twin describes a part on field traffic differs from part to part, and a twin that
    /// was never exact is no reason to re-train.
    /// </summary>
    public double DriftThreshold { get; init; } = 0.15;

    /// <summary>
    /// Fall of the agent's live accuracy (its calibration probes, played on the device) below its level just after
    /// the running model began to run (0.03: three points), from which a drift update starts. Where the agent
    /// publishes a live accuracy, this decides and <see cref="DriftThreshold"/> does not: the twin residual follows
    /// readout noise, so a part that is quieter but wrong reads as better on it.
    /// </summary>
    public double AccuracyDropThreshold { get; init; } = 0.03;

    /// <summary>
    /// Probe rounds the agent's figure must average before it becomes the running version's accuracy reference (4:
    /// the agent's window). Measured with <c>bench drift --score live</c>: a one-round reference gave false alarms.
    /// </summary>
    public int AccuracyReferenceRounds { get; init; } = 4;

    /// <summary>How many of the newest measurements the drift score uses.</summary>
    public int DriftSamples { get; init; } = 300;

    /// <summary>Fewer measurements than this give no score (too noisy to act on).</summary>
    public int MinimumSamples { get; init; } = 150;

    /// <summary>
    /// No drift update sooner than this after the end of the device's last completed (accepted or refused) session:
    /// the new model's drift reference needs fresh traffic first.
    /// </summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Longest wait after refusals in a row: each refusal since the last acceptance doubles the
    /// <see cref="Cooldown"/> before the next try, up to this (6 h), so a part the trainer cannot improve does not
    /// cost a full PAT session every cooldown. A new reason (an operator's request, a fall grown by another
    /// <see cref="AccuracyDropThreshold"/>) waits the plain cooldown and starts the count afresh.
    /// </summary>
    public TimeSpan RefusalBackoffCap { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Sessions that have not brought a part back within <see cref="AccuracyDropThreshold"/> of its own accuracy
    /// reference (the best live accuracy one of its versions settled at) after which the watch raises its alert (3).
    /// The sessions go on, each after a doubled wait up to <see cref="RefusalBackoffCap"/>.
    /// </summary>
    public int RecoveryAlertSessions { get; init; } = 3;

    /// <summary>How long a check waits for the agent's retained status before calling it unknown.</summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public FieldUpdatePolicy Validate()
    {
        Positive(CheckInterval, nameof(CheckInterval));
        Positive(StatusTimeout, nameof(StatusTimeout));
        if (Schedule is { } schedule)
        {
            Positive(schedule, nameof(Schedule));
        }

        if (!double.IsFinite(DriftThreshold) || DriftThreshold <= 0)
        {
            throw new ArgumentException(
                $"Field updates: {nameof(DriftThreshold)} must be a positive relative rise (0.15 = 15 %), got "
                + $"{DriftThreshold}.");
        }

        if (!(AccuracyDropThreshold is > 0 and < 1))
        {
            throw new ArgumentException($"Field updates: {nameof(AccuracyDropThreshold)} must be a fall of accuracy in "
                + $"(0, 1) (0.03 = three points), got {AccuracyDropThreshold}.");
        }

        if (AccuracyReferenceRounds is < 1 or > 100)
        {
            throw new ArgumentException($"Field updates: {nameof(AccuracyReferenceRounds)} must lie in 1..100, got "
                + $"{AccuracyReferenceRounds}.");
        }

        if (RecoveryAlertSessions is < 1 or > 100)
        {
            throw new ArgumentException($"Field updates: {nameof(RecoveryAlertSessions)} must lie in 1..100, got "
                + $"{RecoveryAlertSessions}.");
        }

        if (MinimumSamples < 1 || DriftSamples < MinimumSamples)
        {
            throw new ArgumentException(
                $"Field updates: need 1 <= {nameof(MinimumSamples)} ({MinimumSamples}) <= {nameof(DriftSamples)} "
                + $"({DriftSamples}).");
        }

        if (Cooldown < TimeSpan.Zero)
        {
            throw new ArgumentException($"Field updates: {nameof(Cooldown)} must not be negative, got {Cooldown}.");
        }

        if (RefusalBackoffCap < Cooldown)
        {
            throw new ArgumentException($"Field updates: {nameof(RefusalBackoffCap)} ({RefusalBackoffCap}) must not "
                + $"be shorter than {nameof(Cooldown)} ({Cooldown}).");
        }

        return this;

        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"Field updates: {name} must be positive, got {value}.");
            }
        }
    }

    /// <summary>
    /// What to do about one device at <see cref="FieldCheck.Now"/>, and why: an operator's request starts an update at
    /// once; a live accuracy fallen by <see cref="AccuracyDropThreshold"/> starts one unless the device is in
    /// <see cref="Cooldown"/> after its last completed session (a refused offer does not make the lost accuracy
    /// forgotten: it is tried again after the cooldown); a live accuracy still short of the device's own reference by
    /// the threshold (a partial recovery) starts one after the cooldown doubled for each session short of it
    /// (<c>under-recovered</c>, <c>recovery-backoff</c>); without a live accuracy, drift of the twin residual above
    /// <see cref="DriftThreshold"/> does the same, except that drift already answered by a refused offer needs the
    /// rise to grow by another <see cref="DriftThreshold"/>; otherwise the schedule, counted from the later of training
    /// and the last completed session. Nothing starts while the agent is not online.
    /// </summary>
    public FieldDecision Decide(FieldCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var ledger = check.Ledger;
        var wanted = Wanted(check);
        if (wanted.Starts && check.Agent != AgentPresence.Online)
        {
            return NotOnline(check.Agent);
        }

        if (wanted.Starts || Schedule is not { } schedule)
        {
            return wanted;
        }

        var since = check.TrainedAt;
        if (ledger.LastCompleted is { } completed && completed > since)
        {
            since = completed;
        }

        if (check.Now - since < schedule)
        {
            return wanted with { Until = wanted.Until ?? since + schedule };
        }

        return check.Agent == AgentPresence.Online
            ? new FieldDecision(UpdateReason.Schedule, "schedule", null)
            : NotOnline(check.Agent);
    }

    /// <summary>
    /// When the wait after the last completed session ends (null when there was none): the cooldown, doubled for
    /// each refusal in a row after the first, up to <see cref="RefusalBackoffCap"/>.
    /// </summary>
    public DateTimeOffset? CooldownEnd(FieldDeviceRecord ledger) => ledger?.LastCompleted + Wait(ledger?.Refusals ?? 0);

    /// <summary>
    /// When the next session of a part short of its reference may start: the last completed session plus the wait
    /// for the refusals or short sessions in a row, whichever count is larger (null before any session).
    /// </summary>
    public DateTimeOffset? RecoveryWaitEnd(FieldDeviceRecord ledger) =>
        ledger.LastCompleted + Wait(Math.Max(ledger.Refusals, ledger.RecoverySessions));

    /// <summary>
    /// True when <paramref name="ledger"/> counts <see cref="RecoveryAlertSessions"/> sessions that have not brought
    /// the part back and <paramref name="shortfall"/> (its live accuracy below its reference) still reaches the
    /// threshold.
    /// </summary>
    public bool RecoveryStalled(FieldDeviceRecord ledger, double? shortfall) =>
        ledger is not null && ledger.RecoverySessions >= RecoveryAlertSessions && shortfall >= AccuracyDropThreshold;

    /// <summary>
    /// The wait before the next try after <paramref name="refusals"/> refusals in a row (or sessions short of the
    /// reference).
    /// </summary>
    public TimeSpan Wait(int refusals)
    {
        if (refusals <= 1)
        {
            return Cooldown;
        }

        // 2^(n-1) without overflow: beyond 2^30 any cooldown is past the cap.
        var doubled = Cooldown.TotalSeconds * Math.Pow(2, Math.Min(refusals - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(doubled, RefusalBackoffCap.TotalSeconds));
    }

    private static FieldDecision NotOnline(AgentPresence agent) =>
        new(UpdateReason.None, agent == AgentPresence.Offline ? "agent-offline" : "agent-status-unknown", null);

    // The running version settled short of what the part did before: go on, each session after a doubled wait (the
    // first after the plain cooldown), counting refusals and accepted but short versions alike.
    private FieldDecision Recovery(FieldCheck check)
    {
        var ledger = check.Ledger;
        if (RecoveryWaitEnd(ledger) is { } end && check.Now < end)
        {
            var sessions = Math.Max(ledger.Refusals, ledger.RecoverySessions);
            return new FieldDecision(UpdateReason.None, sessions > 1 ? "recovery-backoff" : "cooldown", end);
        }

        return new FieldDecision(UpdateReason.Drift, "under-recovered", null);
    }

    private FieldDecision Wanted(FieldCheck check)
    {
        var ledger = check.Ledger;
        // The ledger clears a request once a session that started after it completed.
        if (ledger.Requested is not null)
        {
            return new FieldDecision(UpdateReason.Operator, "operator-request", null);
        }

        if (check.AccuracyDrop is { } drop && drop >= AccuracyDropThreshold)
        {
            // Fallen by another threshold since the refused session: a new reason, so only the plain cooldown.
            var further = ledger.RefusedDrop is { } refusedDrop && drop >= refusedDrop + AccuracyDropThreshold;
            var waitEnd = further ? ledger.LastCompleted + Cooldown : CooldownEnd(ledger);
            if (waitEnd is { } cooled && check.Now < cooled)
            {
                var backingOff = !further && ledger.Refusals > 1;
                return new FieldDecision(UpdateReason.None, backingOff ? "refused-backoff" : "cooldown", cooled);
            }

            return new FieldDecision(UpdateReason.Drift, further ? "accuracy-fell-further" : "accuracy-lost", null);
        }

        if (check.AccuracyShortfall is { } shortfall && shortfall >= AccuracyDropThreshold)
        {
            return Recovery(check);
        }

        if (check.AccuracyDrop is not null)
        {
            return new FieldDecision(UpdateReason.None, "below-threshold", null);
        }

        // An agent that publishes a live accuracy is judged on it: until its reference settles there is no score.
        if (check.DriftRise is not { } rise || check.LiveAccuracyPublished)
        {
            return new FieldDecision(UpdateReason.None, "no-score", null);
        }

        if (rise <= DriftThreshold)
        {
            return new FieldDecision(UpdateReason.None, "below-threshold", null);
        }

        if (CooldownEnd(ledger) is { } end && check.Now < end)
        {
            return new FieldDecision(UpdateReason.None, "cooldown", end);
        }

        // The same drift was answered by a refused offer: only more drift is new evidence.
        if (ledger.RefusedVersion is not null && ledger.RefusedRise is { } refused && rise < refused + DriftThreshold)
        {
            return new FieldDecision(UpdateReason.None, "refused-recently", null);
        }

        return new FieldDecision(UpdateReason.Drift, "drifted", null);
    }
}

/// <summary>What the policy knows about one device at one check.</summary>
/// <param name="Now">The time of the check.</param>
/// <param name="DriftRise">Relative rise of the drift score over the running version's reference (null: none).</param>
/// <param name="TrainedAt">When the running model was trained.</param>
/// <param name="Ledger">The device's last session, refusal and pending request.</param>
/// <param name="Agent">Whether the agent's retained status says it is online.</param>
/// <param name="AccuracyDrop">
/// Fall of the agent's live accuracy below the running version's reference (null: the agent publishes none, or no
/// reference yet); when known, it decides instead of <paramref name="DriftRise"/>.
/// </param>
/// <param name="LiveAccuracyPublished">
/// True when the agent publishes a live accuracy for the running version: then the twin residual never decides, and
/// without an <paramref name="AccuracyDrop"/> (reference not settled yet) the check has no score.
/// </param>
/// <param name="AccuracyShortfall">
/// Fall of the live accuracy below the device's own reference (<see cref="FieldDeviceRecord.AccuracyReference"/>,
/// the best any of its versions settled at), known with <paramref name="AccuracyDrop"/>; at least as large.
/// </param>
public sealed record FieldCheck(
    DateTimeOffset Now,
    double? DriftRise,
    DateTimeOffset TrainedAt,
    FieldDeviceRecord Ledger,
    AgentPresence Agent,
    double? AccuracyDrop = null,
    bool LiveAccuracyPublished = false,
    double? AccuracyShortfall = null);

/// <summary>What the agent's retained status says.</summary>
public enum AgentPresence
{
    /// <summary>Online.</summary>
    Online,

    /// <summary>Offline (it stopped, or the broker published its last will).</summary>
    Offline,

    /// <summary>No status could be read (none retained, or the broker did not answer).</summary>
    Unknown,
}

/// <summary>The decision of one check: which update starts (none: wait) and why, in a metric-label word.</summary>
/// <param name="Start">The update that starts, or <see cref="UpdateReason.None"/>.</param>
/// <param name="Reason">
/// Why: accuracy-lost, accuracy-fell-further, under-recovered, drifted, schedule, operator-request, no-score,
/// below-threshold, cooldown, refused-recently, refused-backoff, recovery-backoff, agent-offline, agent-status-unknown.
/// </param>
/// <param name="Until">When the wait ends by itself (cooldown, next schedule), if known.</param>
public sealed record FieldDecision(UpdateReason Start, string Reason, DateTimeOffset? Until)
{
    /// <summary>True when an update starts.</summary>
    public bool Starts => Start != UpdateReason.None;

    /// <summary>
    /// True when it starts for a new reason (an operator's request, a fall grown further): a refusal of it starts
    /// the count of refusals in a row afresh.
    /// </summary>
    public bool NewReason => Start == UpdateReason.Operator || Reason == "accuracy-fell-further";
}

/// <summary>Why a field update started.</summary>
public enum UpdateReason
{
    /// <summary>Not due.</summary>
    None,

    /// <summary>The device drifted away from its twin.</summary>
    Drift,

    /// <summary>The periodic schedule came round.</summary>
    Schedule,

    /// <summary>An operator asked for it.</summary>
    Operator,

    /// <summary>A new part met the product-line model: the first update of an agent (commissioning).</summary>
    Commissioning,
}
