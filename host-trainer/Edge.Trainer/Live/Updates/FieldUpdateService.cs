using System.Data.Common;
using System.Globalization;
using Edge.Domain.Messaging;
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
    private readonly FieldPackageLoader? _packages;
    private readonly FieldVersionBook _book;
    private readonly List<FieldDevice> _devices = [];
    private readonly HashSet<string> _registered = [];

    /// <summary>Creates the service over <paramref name="store"/> (measurements and ledger).</summary>
    /// <param name="store">The measurement store; its database also holds the ledger.</param>
    /// <param name="policy">When to re-train.</param>
    /// <param name="session">Runs one field session.</param>
    /// <param name="logger">Receives every decision.</param>
    /// <param name="metrics">Receives decisions and sessions; optional.</param>
    /// <param name="clock">The time; the system clock unless given.</param>
    /// <param name="packages">Reads kept packages back, so a restarted service continues from the version the agent runs.</param>
    public FieldUpdateService(MeasurementStore store, FieldUpdatePolicy policy, FieldPatSession session, ILogger logger, TrainerMetrics? metrics = null, TimeProvider? clock = null, FieldPackageLoader? packages = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _policy = (policy ?? throw new ArgumentNullException(nameof(policy))).Validate();
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        (_metrics, _clock, _packages) = (metrics, clock ?? TimeProvider.System, packages);
        _book = new FieldVersionBook(new FieldUpdateLedger(store), session.PackageDirectory, _clock);
    }

    /// <summary>Raised after each drift score (null score: too few measurements yet).</summary>
    public event Action<string, DriftScore?, DateTimeOffset>? Scored;

    /// <summary>Raised when a session starts, with the residual rise that triggered it.</summary>
    public event Action<FieldDevice, UpdateReason, double?>? Starting;

    /// <summary>Raised after each decision.</summary>
    public event Action<FieldDevice, FieldDecision>? Decided;

    /// <summary>Receives (stage, fraction) of a running session.</summary>
    public Action<string, double>? Progress { get; set; }

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
        await RegisterWatchedAsync(device, cancellationToken).ConfigureAwait(false);
        var presence = await LearnAgentAsync(device, cancellationToken).ConfigureAwait(false);
        var score = await LiveTwin.TryDriftAsync(_store, device.DeviceId, device.Twin, _policy.DriftSamples, _policy.MinimumSamples, _metrics, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        Scored?.Invoke(device.DeviceId, score, now);
        await SettleBaselineAsync(device, score, cancellationToken).ConfigureAwait(false);
        var rise = (score?.Nmse / device.BaselineDrift) - 1;
        var ledger = await Ledger.DeviceAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        var decision = _policy.Decide(new FieldCheck(now, rise, device.TrainedAt, ledger, presence));
        Report(device, decision, score, rise, ledger, presence);
        if (!decision.Starts)
        {
            return null;
        }

        Starting?.Invoke(device, decision.Start, rise);
        var reason = FieldPatSession.Name(decision.Start);
        try
        {
            var outcome = await _session.RunAsync(device, decision.Start, rise, _book, Progress, cancellationToken).ConfigureAwait(false);
            var result = outcome.Accepted ? FieldSessionOutcome.Accepted : FieldSessionOutcome.Refused;
            var driftRise = decision.Start == UpdateReason.Drift ? rise : null;
            await Ledger.RecordSessionAsync(device.DeviceId, new(now, outcome.At, reason, result, outcome.Verdict, outcome.Version, driftRise), CancellationToken.None).ConfigureAwait(false);
            LogFinished(device.DeviceId, outcome.Version, outcome.Accepted ? "accepted" : "refused", outcome.Verdict, outcome.AccuracyBefore, outcome.AccuracyAfter);
            device.History.Add(outcome);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An agent offline or a broker hiccup must not end the watch: the next check tries again.
            _metrics?.FieldUpdates.WithLabels(device.DeviceId, reason, "failed").Inc();
            var failed = new FieldSessionRecord(now, _clock.GetUtcNow(), reason, FieldSessionOutcome.Failed, e.Message, null, rise);
            await Ledger.RecordSessionAsync(device.DeviceId, failed, CancellationToken.None).ConfigureAwait(false);
            LogFailed(device.DeviceId, e.Message);
            return null;
        }
    }

    /// <summary>Records the package named with <c>--watch</c> (once per device and process).</summary>
    private async Task RegisterWatchedAsync(FieldDevice device, CancellationToken cancellationToken)
    {
        if (!_registered.Add(device.DeviceId))
        {
            return;
        }

        var stored = await Ledger.RegisterAsync(device.DeviceId, device.Version, device.ContentHash, FieldVersionState.Watched, device.PackagePath, device.TrainedAt, cancellationToken).ConfigureAwait(false);
        if (stored.Sha256 is not null && device.ContentHash is not null && stored.Sha256 != device.ContentHash)
        {
            LogOtherContent(device.DeviceId, device.Version);
        }

        if (await Ledger.MaxVersionAsync(device.DeviceId, cancellationToken).ConfigureAwait(false) is > 0 and var highest)
        {
            _metrics?.PublishedVersion(device.DeviceId, highest);
        }
    }

    /// <summary>
    /// Reads the agent's retained status; when it runs another version than the one tracked, tracks that one (from its
    /// kept package when the ledger has it) before anything is decided.
    /// </summary>
    private async Task<AgentPresence> LearnAgentAsync(FieldDevice device, CancellationToken cancellationToken)
    {
        StatusMessage? status;
        try
        {
            status = await AgentStatusProbe.ReadAsync(_session.Broker, device.DeviceId, _policy.StatusTimeout, _metrics, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBrokerUnreachable(device.DeviceId, _session.Broker.Address.ToString(), e.Message);
            return AgentPresence.Unknown;
        }

        if (status is null)
        {
            return AgentPresence.Unknown;
        }

        if (status.State != StatusMessage.Online)
        {
            return AgentPresence.Offline;
        }

        // A newer version is followed at once; an older one (a rollback) only when the status was written after the
        // running model was accepted, so a status still on its way from before the activation is not mistaken for one.
        if (status.ModelVersion is { } active && (active > device.Version || (active < device.Version && status.Timestamp > device.TrainedAt)))
        {
            await FollowAgentAsync(device, active, cancellationToken).ConfigureAwait(false);
        }

        return AgentPresence.Online;
    }

    private async Task FollowAgentAsync(FieldDevice device, int active, CancellationToken cancellationToken)
    {
        var record = await Ledger.VersionAsync(device.DeviceId, active, cancellationToken).ConfigureAwait(false);
        if (record is { State: FieldVersionState.Offered or FieldVersionState.Unanswered })
        {
            // The verdict was lost (trainer stopped, offer timed out), but the agent runs it: it was accepted.
            await Ledger.SetStateAsync(device.DeviceId, active, FieldVersionState.Accepted, "running on the agent", cancellationToken).ConfigureAwait(false);
        }

        var previous = device.Version;
        if (record?.PackagePath is { } path && _packages is not null && File.Exists(path))
        {
            try
            {
                var package = _packages.Load(device.DeviceId, path);
                if (package.Version == active && package.ContentHash == record.Sha256)
                {
                    device.Adopt(package);
                    LogFollowed(device.DeviceId, previous, active, path);
                    return;
                }
            }
            catch (Exception e) when (e is Edge.Domain.Models.ModelPackageException or ArgumentException)
            {
                LogPackageUnusable(device.DeviceId, path, e.Message);
            }
        }

        device.AdoptVersion(active);
        LogUnknownVersion(device.DeviceId, previous, active);
    }

    /// <summary>
    /// The drift reference of the running version: the one stored in the ledger (measured before a restart, so a
    /// drift that began then still counts), else the first score, which is stored for the next restart.
    /// </summary>
    private async Task SettleBaselineAsync(FieldDevice device, DriftScore? score, CancellationToken cancellationToken)
    {
        if (device.BaselineDrift is not null)
        {
            return;
        }

        var record = await Ledger.VersionAsync(device.DeviceId, device.Version, cancellationToken).ConfigureAwait(false);
        var same = record is not null && record.Sha256 == device.ContentHash;
        if (same && record!.DriftBaseline is { } stored)
        {
            device.BaselineDrift = stored;
            return;
        }

        if (score is { } first)
        {
            device.BaselineDrift = first.Nmse;
            if (same)
            {
                await Ledger.SetBaselineAsync(device.DeviceId, device.Version, first.Nmse, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Report(FieldDevice device, FieldDecision decision, DriftScore? score, double? rise, FieldDeviceRecord ledger, AgentPresence presence)
    {
        var verb = decision.Starts ? "start" : "wait";
        Count(device, verb, decision.Reason);
        var cooldownEnd = _policy.CooldownEnd(ledger);
        _metrics?.FieldCooldownEnd.WithLabels(device.DeviceId).Set(cooldownEnd > _clock.GetUtcNow() ? cooldownEnd.Value.ToUnixTimeSeconds() : 0);
        if (rise is { } r)
        {
            _metrics?.DriftRise.WithLabels(device.DeviceId).Set(r);
        }

        var until = decision.Until is { } t ? string.Create(CultureInfo.InvariantCulture, $" until {t:yyyy-MM-dd HH:mm:ss}Z") : string.Empty;
        var refused = ledger.RefusedVersion is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"; v{v} refused at rise {ledger.RefusedRise:F3}")
            : string.Empty;
        LogDecision(device.DeviceId, verb, decision.Reason + until, score?.Nmse ?? double.NaN, device.BaselineDrift ?? double.NaN, rise ?? double.NaN, _policy.DriftThreshold, device.Version, presence.ToString().ToLowerInvariant(), refused);
        Decided?.Invoke(device, decision);
    }

    private void Count(FieldDevice device, string decision, string reason) =>
        _metrics?.FieldDecisions.WithLabels(device.DeviceId, decision, reason).Inc();

    [LoggerMessage(Level = LogLevel.Information, Message = "Field check of {Device}: {Decision} ({Reason}); drift NMSE {Drift:F4} vs reference {Reference:F4}, rise {Rise:F3} (threshold {Threshold:F3}); running v{Version}, agent {Agent}{Refused}")]
    private partial void LogDecision(string device, string decision, string reason, double drift, double reference, double rise, double threshold, int version, string agent, string refused);

    [LoggerMessage(Level = LogLevel.Information, Message = "Field update of {Device}: v{Version} {Verdict} ({Reason}); device accuracy {Before:P1} -> {After:P1}")]
    private partial void LogFinished(string device, int version, string verdict, string reason, double before, double after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Check of {Device} failed; trying again at the next check: {Problem}")]
    private partial void LogCheckFailed(Exception exception, string device, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Field update of {Device} failed; retrying at the next check: {Problem}")]
    private partial void LogFailed(string device, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status of {Device} unknown: broker {Broker} did not answer ({Problem})")]
    private partial void LogBrokerUnreachable(string device, string broker, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Device} runs v{Active} (tracked: v{Previous}); continuing from its package {Path}")]
    private partial void LogFollowed(string device, int previous, int active, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Device} runs v{Active}, which this trainer has no package of (tracked: v{Previous}); the next offer will be newer, fine-tuned from the parameters known so far")]
    private partial void LogUnknownVersion(string device, int previous, int active);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kept package {Path} of {Device} cannot be used: {Problem}")]
    private partial void LogPackageUnusable(string device, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watched package of {Device} is not the v{Version} the ledger recorded; its stored drift reference is not used")]
    private partial void LogOtherContent(string device, int version);
}
