using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// The device's own accuracy reference as the drift watch keeps it: raised to the settled live accuracy of a version
/// that beats it (never lowered by itself: a partial recovery is not the new normal), the count of sessions short of
/// it ended when a check finds the part back, and — at every check — the reference, the shortfall and the count
/// exported, with one warning per session once <see cref="FieldUpdatePolicy.RecoveryAlertSessions"/> sessions have not
/// brought the part back.
/// </summary>
internal sealed partial class FieldRecoveryTracker(
    FieldUpdateLedger fieldLedger, FieldUpdatePolicy policy, ILogger logger, TrainerMetrics? metrics)
{
    private readonly Dictionary<string, int> _warned = [];

    /// <summary>
    /// Raises the device's reference to the settled figure of the running version when that beats it, and ends the
    /// count of sessions short of it when <paramref name="liveAccuracy"/> is back within the threshold; returns the
    /// ledger record as it now stands.
    /// </summary>
    public async Task<FieldDeviceRecord> FollowAsync(
        FieldDevice device, FieldDeviceRecord ledger, double? liveAccuracy, CancellationToken cancellationToken)
    {
        if (device.BaselineAccuracy is not { } settled)
        {
            return ledger;
        }

        if (!(ledger.AccuracyReference >= settled))
        {
            ledger = await fieldLedger.RaiseReferenceAsync(device.DeviceId, settled, device.Version, cancellationToken)
                .ConfigureAwait(false);
            LogReference(device.DeviceId, settled, device.Version);
        }

        if (ledger.RecoverySessions > 0 && ledger.AccuracyReference - liveAccuracy < policy.AccuracyDropThreshold)
        {
            LogRecovered(device.DeviceId, liveAccuracy ?? double.NaN, ledger.AccuracyReference ?? double.NaN,
                ledger.RecoverySessions);
            _warned.Remove(device.DeviceId);
            ledger = await fieldLedger.RecoveredAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        }

        return ledger;
    }

    /// <summary>
    /// Exports the reference, <paramref name="shortfall"/> and the count; warns once per count of sessions that left
    /// the part short of its reference, from <see cref="FieldUpdatePolicy.RecoveryAlertSessions"/> on.
    /// </summary>
    public void Report(FieldDevice device, FieldDeviceRecord ledger, double? shortfall, double? live)
    {
        var stalled = policy.RecoveryStalled(ledger, shortfall);
        metrics?.FieldAccuracyReference.WithLabels(device.DeviceId).Set(ledger.AccuracyReference ?? double.NaN);
        metrics?.FieldAccuracyShortfall.WithLabels(device.DeviceId).Set(shortfall ?? double.NaN);
        metrics?.FieldRecoverySessions.WithLabels(device.DeviceId).Set(ledger.RecoverySessions);
        metrics?.FieldRecoveryStalled.WithLabels(device.DeviceId).Set(stalled ? 1 : 0);
        if (stalled && _warned.GetValueOrDefault(device.DeviceId) != ledger.RecoverySessions)
        {
            _warned[device.DeviceId] = ledger.RecoverySessions;
            var next = policy.RecoveryWaitEnd(ledger);
            LogStalled(device.DeviceId, ledger.RecoverySessions, live ?? double.NaN, device.Version,
                ledger.AccuracyReference ?? double.NaN, ledger.ReferenceVersion ?? 0, next?.UtcDateTime);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Field updates of {Device}: accuracy reference {Reference:P1}, settled by v{Version}")]
    private partial void LogReference(string device, double reference, int version);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Field updates of {Device}: back within the threshold of its reference (live accuracy {Live:P1}, "
            + "reference {Reference:P1}) after {Sessions} session(s)")]
    private partial void LogRecovered(string device, double live, double reference, int sessions);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Field updates of {Device}: {Sessions} sessions have not brought the part back: live accuracy "
            + "{Live:P1} on v{Version}, reference {Reference:P1} (v{ReferenceVersion}); trying again after "
            + "{Next:yyyy-MM-dd HH:mm:ss}Z. Check the part, or accept its level: "
            + "edge-trainer retrain --reset-reference")]
    private partial void LogStalled(
        string device, int sessions, double live, int version, double reference, int referenceVersion, DateTime? next);
}
