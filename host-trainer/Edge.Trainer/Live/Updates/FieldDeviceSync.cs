using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// Keeps a tracked device in step with the agent and the ledger before the drift watch decides anything: records the
/// <c>--watch</c> package, reads the agent's retained status (online? which version?), follows the agent to the version
/// it runs, and settles the drift reference of that version from the ledger.
/// </summary>
internal sealed partial class FieldDeviceSync(
    FieldUpdateLedger ledger,
    BrokerOptions broker,
    TimeSpan statusTimeout,
    FieldPackageLoader? packages,
    ILogger logger,
    TrainerMetrics? metrics)
{
    private readonly HashSet<string> _registered = [];

    /// <summary>Records the package named with <c>--watch</c> (once per device and process).</summary>
    public async Task RegisterWatchedAsync(FieldDevice device, CancellationToken cancellationToken)
    {
        if (!_registered.Add(device.DeviceId))
        {
            return;
        }

        var stored = await ledger.RegisterAsync(
            device.DeviceId,
            device.Version,
            device.ContentHash,
            FieldVersionState.Watched,
            device.PackagePath,
            device.TrainedAt,
            cancellationToken).ConfigureAwait(false);
        if (stored.Sha256 is not null && device.ContentHash is not null && stored.Sha256 != device.ContentHash)
        {
            LogOtherContent(device.DeviceId, device.Version);
        }

        // The published version never looks older after a restart than before it.
        var highest = await ledger.MaxVersionAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        metrics?.PublishedVersion(device.DeviceId, highest);
        var accepted = await ledger.MaxAcceptedVersionAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        if (accepted > 0)
        {
            metrics?.ModelAcceptedVersion.WithLabels(device.DeviceId).IncTo(accepted);
        }
    }

    /// <summary>
    /// Reads the agent's retained status; when it runs another version than the one tracked, tracks that one (from its
    /// kept package when the ledger has it). Returns what the status says: presence, and the live accuracy when the
    /// status gives one for the version tracked.
    /// </summary>
    public async Task<AgentReading> LearnAgentAsync(FieldDevice device, CancellationToken cancellationToken)
    {
        StatusMessage? status;
        try
        {
            status = await AgentStatusProbe.ReadAsync(
                broker, device.DeviceId, statusTimeout, metrics, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBrokerUnreachable(device.DeviceId, broker.Address.ToString(), e.Message);
            return new AgentReading(AgentPresence.Unknown, null, null);
        }

        if (status is null)
        {
            return new AgentReading(AgentPresence.Unknown, null, null);
        }

        if (status.State != StatusMessage.Online)
        {
            return new AgentReading(AgentPresence.Offline, null, null);
        }

        // A newer version is followed at once; an older one (a rollback) only when the status was written after the
        // running model was accepted, so a status still on its way from before the activation is not mistaken for one.
        if (status.ModelVersion is { } active
            && (active > device.Version || (active < device.Version && status.Timestamp > device.TrainedAt)))
        {
            await FollowAgentAsync(device, active, cancellationToken).ConfigureAwait(false);
        }

        // A figure of another version (a status from before an activation) says nothing about the model tracked.
        var live = status.ModelVersion == device.Version && status.LiveAccuracy is { } a && double.IsFinite(a)
            ? a
            : (double?)null;
        return new AgentReading(AgentPresence.Online, live, live is null ? null : status.LiveAccuracyRounds);
    }

    /// <summary>
    /// The live-accuracy reference of the running version: the one stored in the ledger (so a part that drifted
    /// before a restart still reads as drifted), else the agent's figure in <paramref name="reading"/> once it
    /// averages at least <paramref name="referenceRounds"/> probe rounds of that version (a single round is too noisy
    /// a reference: <c>bench drift --score live</c>; an agent that does not say how many rounds a figure holds has its
    /// first figure taken), stored for the next restart when the ledger knows this content.
    /// </summary>
    public async Task SettleAccuracyBaselineAsync(
        FieldDevice device, AgentReading reading, int referenceRounds, CancellationToken cancellationToken)
    {
        if (device.BaselineAccuracy is not null)
        {
            return;
        }

        var liveAccuracy = reading.LiveAccuracyRounds is { } rounds && rounds < referenceRounds
            ? null
            : reading.LiveAccuracy;
        var record = await ledger.VersionAsync(device.DeviceId, device.Version, cancellationToken)
            .ConfigureAwait(false);
        var known = record is not null && record.Sha256 == device.ContentHash;
        if (known && record!.AccuracyBaseline is { } stored)
        {
            device.BaselineAccuracy = stored;
            return;
        }

        if (liveAccuracy is { } first)
        {
            device.BaselineAccuracy = first;
            if (known)
            {
                await ledger.SetAccuracyBaselineAsync(device.DeviceId, device.Version, first, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The drift reference of the running version: the one stored in the ledger (measured before a restart, so a
    /// drift that began then still counts), else <paramref name="score"/>, stored for the next restart when the ledger
    /// knows this content.
    /// </summary>
    public async Task SettleBaselineAsync(FieldDevice device, DriftScore? score, CancellationToken cancellationToken)
    {
        if (device.BaselineDrift is not null)
        {
            return;
        }

        var record = await ledger.VersionAsync(device.DeviceId, device.Version, cancellationToken)
            .ConfigureAwait(false);
        var known = record is not null && record.Sha256 == device.ContentHash;
        if (known && record!.DriftBaseline is { } stored)
        {
            device.BaselineDrift = stored;
            return;
        }

        if (score is { } first)
        {
            device.BaselineDrift = first.Nmse;
            if (known)
            {
                await ledger.SetBaselineAsync(device.DeviceId, device.Version, first.Nmse, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    private async Task FollowAgentAsync(FieldDevice device, int active, CancellationToken cancellationToken)
    {
        var record = await ledger.VersionAsync(device.DeviceId, active, cancellationToken).ConfigureAwait(false);
        if (record is { State: FieldVersionState.Offered or FieldVersionState.Unanswered })
        {
            // The verdict was lost (trainer stopped, offer timed out), but the agent runs it: it was accepted.
            await ledger.SetStateAsync(
                device.DeviceId, active, FieldVersionState.Accepted, "running on the agent", cancellationToken)
                .ConfigureAwait(false);
        }

        var previous = device.Version;
        if (record?.PackagePath is { } path && packages is not null && File.Exists(path))
        {
            try
            {
                var package = packages.Load(device.DeviceId, path);
                if (package.Version == active && package.ContentHash == record.Sha256)
                {
                    device.Adopt(package);
                    LogFollowed(device.DeviceId, previous, active, path);
                    return;
                }
            }
            catch (Exception e) when (e is ModelPackageException or ArgumentException)
            {
                LogPackageUnusable(device.DeviceId, path, e.Message);
            }
        }

        // Recorded so that its number is never offered again, even after the agent moves on or rolls back.
        await ledger.RegisterAsync(
            device.DeviceId, active, null, FieldVersionState.Watched, null, DateTimeOffset.UtcNow, cancellationToken)
            .ConfigureAwait(false);
        device.AdoptVersion(active);
        LogUnknownVersion(device.DeviceId, previous, active);
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Status of {Device} unknown: broker {Broker} did not answer ({Problem})")]
    private partial void LogBrokerUnreachable(string device, string broker, string problem);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "{Device} runs v{Active} (tracked: v{Previous}); continuing from its package {Path}")]
    private partial void LogFollowed(string device, int previous, int active, string path);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "{Device} runs v{Active}, which this trainer has no package of (tracked: v{Previous}); "
            + "the next offer will be newer, fine-tuned from the parameters known so far")]
    private partial void LogUnknownVersion(string device, int previous, int active);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kept package {Path} of {Device} cannot be used: {Problem}")]
    private partial void LogPackageUnusable(string device, string path, string problem);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "The watched package of {Device} is not the v{Version} the ledger recorded; "
            + "its stored drift reference is not used")]
    private partial void LogOtherContent(string device, int version);
}

/// <summary>What one read of an agent's retained status says.</summary>
/// <param name="Presence">Online, offline or unknown.</param>
/// <param name="LiveAccuracy">
/// The agent's live accuracy on its calibration set for the version tracked (null: none published yet, or for
/// another version).
/// </param>
/// <param name="LiveAccuracyRounds">Probe rounds the figure averages (null: not said, or no figure).</param>
internal readonly record struct AgentReading(AgentPresence Presence, double? LiveAccuracy, int? LiveAccuracyRounds);
