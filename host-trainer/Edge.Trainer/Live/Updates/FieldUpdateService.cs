using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// Periodic updates without a person: every <see cref="FieldUpdatePolicy.CheckInterval"/> each tracked device is
/// checked — the agent's retained status says whether it is online and which version it runs, its twin is scored on
/// the newest sampled traffic, and <see cref="FieldUpdatePolicy.Decide"/> says whether a field PAT session starts and
/// why (logged and counted either way). What it did is kept in the <see cref="FieldUpdateLedger"/> of the store, so a
/// restarted service resumes where it stopped. Sessions run one at a time; a failed one is logged and retried at the
/// next check rather than stopping the service.
/// </summary>
public sealed partial class FieldUpdateService
{
    private readonly FieldUpdatePolicy _policy;
    private readonly FieldPatSession _session;
    private readonly MeasurementStore _store;
    private readonly ILogger _logger;
    private readonly TrainerMetrics? _metrics;
    private readonly TimeProvider _clock;
    private readonly FieldVersionBook _book;
    private readonly FieldDeviceSync _sync;
    private readonly List<FieldDevice> _devices = [];
    private readonly FieldRecoveryTracker _recovery;

    /// <summary>Creates the service over <paramref name="store"/> (measurements and ledger).</summary>
    /// <param name="store">The measurement store; its database also holds the ledger.</param>
    /// <param name="policy">When to re-train.</param>
    /// <param name="session">Runs one field session.</param>
    /// <param name="logger">Receives every decision.</param>
    /// <param name="metrics">Receives decisions and sessions; optional.</param>
    /// <param name="clock">The time; the system clock unless given.</param>
    /// <param name="packages">Reads kept packages back: a restarted service continues from the version the agent runs.
    /// </param>
    public FieldUpdateService(
        MeasurementStore store,
        FieldUpdatePolicy policy,
        FieldPatSession session,
        ILogger logger,
        TrainerMetrics? metrics = null,
        TimeProvider? clock = null,
        FieldPackageLoader? packages = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _policy = (policy ?? throw new ArgumentNullException(nameof(policy))).Validate();
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        (_metrics, _clock) = (metrics, clock ?? TimeProvider.System);
        var ledger = new FieldUpdateLedger(store);
        _book = new FieldVersionBook(ledger, session.PackageDirectory, _clock);
        _sync = new FieldDeviceSync(ledger, session.Broker, _policy.StatusTimeout, packages, logger, metrics);
        _recovery = new FieldRecoveryTracker(ledger, _policy, logger, metrics);
    }

    /// <summary>Raised after each drift score (null score: too few measurements yet).</summary>
    public event Action<string, DriftScore?, DateTimeOffset>? Scored;

    /// <summary>Raised when a session starts, with the residual rise that triggered it.</summary>
    public event Action<FieldDevice, UpdateReason, double?>? Starting;

    /// <summary>Raised after each decision.</summary>
    public event Action<FieldDevice, FieldDecision>? Decided;

    /// <summary>Receives (stage, fraction) of a running session.</summary>
    public Action<string, double>? Progress { get; set; }

    /// <summary>Runs the sessions.</summary>
    internal FieldPatSession Session => _session;

    /// <summary>The devices watched.</summary>
    public IReadOnlyList<FieldDevice> Devices => _devices;

    /// <summary>The ledger of what this service did (in the store's database).</summary>
    public FieldUpdateLedger Ledger => _book.Ledger;

    /// <summary>Starts watching <paramref name="device"/>.</summary>
    public void Track(FieldDevice device) => _devices.Add(device ?? throw new ArgumentNullException(nameof(device)));

    /// <summary>Checks every device once and runs the sessions that are due; returns their outcomes.</summary>
    public async Task<IReadOnlyList<FieldUpdateOutcome>> CheckOnceAsync(CancellationToken cancellationToken = default)
    {
        var outcomes = new List<FieldUpdateOutcome>();
        foreach (var device in _devices)
        {
            try
            {
                if (await CheckAsync(device, cancellationToken).ConfigureAwait(false) is { } outcome)
                {
                    outcomes.Add(outcome);
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                // A store that does not answer, or measurements of another layer, must not end the watch.
                Count(device, "wait", "check-failed");
                LogCheckFailed(e, device.DeviceId, e.Message);
            }
        }

        return outcomes;
    }

    /// <summary>Checks every <see cref="FieldUpdatePolicy.CheckInterval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var watched = string.Join(", ", _devices.Select(d => $"{d.DeviceId} (v{d.Version})"));
        var schedule = _policy.Schedule?.ToString() ?? "off";
        LogWatching(
            watched, _policy.CheckInterval, _policy.AccuracyDropThreshold, _policy.DriftThreshold, _policy.Cooldown,
            schedule);
        using var timer = new PeriodicTimer(_policy.CheckInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await CheckOnceAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is not an error.
        }
    }

    private async Task<FieldUpdateOutcome?> CheckAsync(FieldDevice device, CancellationToken cancellationToken)
    {
        // The agent's own word on what it runs comes first: the reference and the next version depend on it.
        await _sync.RegisterWatchedAsync(device, cancellationToken).ConfigureAwait(false);
        var reading = await _sync.LearnAgentAsync(device, cancellationToken).ConfigureAwait(false);
        var (presence, liveAccuracy) = (reading.Presence, reading.LiveAccuracy);
        var (samples, minimum) = (_policy.DriftSamples, _policy.MinimumSamples);
        var score = await LiveTwin.TryDriftAsync(
            _store, device.DeviceId, device.Twin, samples, minimum, _metrics, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        Scored?.Invoke(device.DeviceId, score, now);
        await _sync.SettleBaselineAsync(device, score, cancellationToken).ConfigureAwait(false);
        await _sync.SettleAccuracyBaselineAsync(device, reading, _policy.AccuracyReferenceRounds, cancellationToken)
            .ConfigureAwait(false);
        var rise = (score?.Nmse / device.BaselineDrift) - 1;
        var drop = device.BaselineAccuracy - liveAccuracy;
        var ledger = await Ledger.DeviceAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        ledger = await _recovery.FollowAsync(device, ledger, liveAccuracy, cancellationToken).ConfigureAwait(false);
        var shortfall = drop is null ? null : ledger.AccuracyReference - liveAccuracy;
        var decision = _policy.Decide(new FieldCheck(
            now, rise, device.TrainedAt, ledger, presence, drop, liveAccuracy is not null, shortfall));
        var scores = new CheckScores(score, rise, liveAccuracy, drop, shortfall);
        Report(device, decision, scores, ledger, presence);
        _recovery.Report(device, ledger, shortfall, liveAccuracy);
        return decision.Starts
            ? await RunSessionAsync(device, decision, scores, now, cancellationToken).ConfigureAwait(false)
            : null;
    }

    private async Task<FieldUpdateOutcome?> RunSessionAsync(
        FieldDevice device,
        FieldDecision decision,
        CheckScores scores,
        DateTimeOffset started,
        CancellationToken cancellationToken)
    {
        var (why, rise) = (decision.Start, scores.Rise);
        Starting?.Invoke(device, why, rise);
        var reason = FieldPatSession.Name(why);
        // Whatever started it, a refusal answers the drift seen then: only more drift is a new reason.
        var driftRise = rise;
        try
        {
            var outcome = await _session.RunAsync(device, why, rise, _book, Progress, cancellationToken)
                .ConfigureAwait(false);
            var result = outcome.Accepted ? FieldSessionOutcome.Accepted : FieldSessionOutcome.Refused;
            var record = new FieldSessionRecord(
                started, outcome.At, reason, result, outcome.Verdict, outcome.Version, driftRise)
            {
                AccuracyDrop = scores.AccuracyDrop,
                NewReason = decision.NewReason,
            };
            await Ledger.RecordSessionAsync(device.DeviceId, record, CancellationToken.None).ConfigureAwait(false);
            var verdict = outcome.Accepted ? "accepted" : "refused";
            var (before, after) = (outcome.AccuracyBefore, outcome.AccuracyAfter);
            LogFinished(device.DeviceId, outcome.Version, verdict, outcome.Verdict, before, after);
            await ReportBackoffAsync(device, outcome.Accepted, cancellationToken).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An agent offline or a broker hiccup must not end the watch: the next check tries again.
            _metrics?.FieldUpdates.WithLabels(device.DeviceId, reason, "failed").Inc();
            var failed = new FieldSessionRecord(
                started, _clock.GetUtcNow(), reason, FieldSessionOutcome.Failed, e.Message, null, driftRise);
            await Ledger.RecordSessionAsync(device.DeviceId, failed, CancellationToken.None).ConfigureAwait(false);
            LogFailed(device.DeviceId, e.Message);
            return null;
        }
    }

    // Refusals in a row back off: the count and the next try are logged and exported after every verdict.
    private async Task ReportBackoffAsync(FieldDevice device, bool accepted, CancellationToken cancellationToken)
    {
        var ledger = await Ledger.DeviceAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        _metrics?.FieldRefusalsInARow.WithLabels(device.DeviceId).Set(ledger.Refusals);
        if (!accepted && _policy.CooldownEnd(ledger) is { } next)
        {
            LogBackoff(device.DeviceId, ledger.Refusals, _policy.Wait(ledger.Refusals), next.UtcDateTime);
        }
    }

    private void Report(
        FieldDevice device,
        FieldDecision decision,
        CheckScores scores,
        FieldDeviceRecord ledger,
        AgentPresence presence)
    {
        var verb = decision.Starts ? "start" : "wait";
        Count(device, verb, decision.Reason);
        var cooldownEnd = decision.Reason == "recovery-backoff" ? decision.Until : _policy.CooldownEnd(ledger);
        var cooling = cooldownEnd > _clock.GetUtcNow();
        var cooldownGauge = cooling ? cooldownEnd!.Value.ToUnixTimeSeconds() : 0;
        _metrics?.FieldCooldownEnd.WithLabels(device.DeviceId).Set(cooldownGauge);
        if (scores.Rise is { } r)
        {
            _metrics?.DriftRise.WithLabels(device.DeviceId).Set(r);
        }

        _metrics?.FieldAccuracyDrop.WithLabels(device.DeviceId).Set(scores.AccuracyDrop ?? double.NaN);

        var until = decision.Until is { } t
            ? string.Create(CultureInfo.InvariantCulture, $" until {t:yyyy-MM-dd HH:mm:ss}Z")
            : string.Empty;
        var refused = ledger.RefusedVersion is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"; v{v} refused at rise {ledger.RefusedRise:F3}")
            : string.Empty;
        if (ledger.AccuracyReference is { } reference)
        {
            refused += string.Create(
                CultureInfo.InvariantCulture,
                $"; device reference {reference:P1} (v{ledger.ReferenceVersion}), "
                + $"{ledger.RecoverySessions} session(s) short of it");
        }
        LogDecision(
            device.DeviceId,
            verb,
            decision.Reason + until,
            scores.LiveAccuracy ?? double.NaN,
            device.BaselineAccuracy ?? double.NaN,
            _policy.AccuracyDropThreshold,
            scores.Drift?.Nmse ?? double.NaN,
            device.BaselineDrift ?? double.NaN,
            scores.Rise ?? double.NaN,
            _policy.DriftThreshold,
            device.Version,
            presence.ToString().ToLowerInvariant(),
            refused);
        Decided?.Invoke(device, decision);
    }

    /// <summary>
    /// What one check measured: twin residual and its rise, live accuracy, its fall below the running version's
    /// reference and below the device's own.
    /// </summary>
    private readonly record struct CheckScores(
        DriftScore? Drift, double? Rise, double? LiveAccuracy, double? AccuracyDrop, double? Shortfall);

    private void Count(FieldDevice device, string decision, string reason) =>
        _metrics?.FieldDecisions.WithLabels(device.DeviceId, decision, reason).Inc();

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Field updates: watching {Devices}; check every {Interval}, live accuracy drop threshold "
            + "{DropThreshold:P1} (twin drift threshold {Threshold:F3} for agents without one), cooldown {Cooldown}, "
            + "schedule {Schedule}")]
    private partial void LogWatching(
        string devices, TimeSpan interval, double dropThreshold, double threshold, TimeSpan cooldown, string schedule);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Field check of {Device}: {Decision} ({Reason}); live accuracy {LiveAccuracy:P1} vs reference "
            + "{AccuracyReference:P1} (drop threshold {DropThreshold:P1}); twin NMSE {Drift:F4} vs reference "
            + "{Reference:F4}, rise {Rise:F3} (threshold {Threshold:F3}); running v{Version}, agent {Agent}{Refused}")]
    private partial void LogDecision(
        string device,
        string decision,
        string reason,
        double liveAccuracy,
        double accuracyReference,
        double dropThreshold,
        double drift,
        double reference,
        double rise,
        double threshold,
        int version,
        string agent,
        string refused);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Field update of {Device}: v{Version} {Verdict} ({Reason}); "
            + "device accuracy {Before:P1} -> {After:P1}")]
    private partial void LogFinished(
        string device, int version, string verdict, string reason, double before, double after);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Field updates of {Device}: {Refusals} refused in a row; next try without a new reason after "
            + "{Wait} ({Next:yyyy-MM-dd HH:mm:ss}Z)")]
    private partial void LogBackoff(string device, int refusals, TimeSpan wait, DateTime next);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Check of {Device} failed; trying again at the next check: {Problem}")]
    private partial void LogCheckFailed(Exception exception, string device, string problem);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Field update of {Device} failed; retrying at the next check: {Problem}")]
    private partial void LogFailed(string device, string problem);
}
