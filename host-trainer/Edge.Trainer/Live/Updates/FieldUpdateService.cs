using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// Periodic updates without a person: every <see cref="FieldUpdatePolicy.CheckInterval"/> each tracked device's twin
/// is scored on the newest sampled traffic from the measurement store; a device whose score passes the drift
/// threshold (or whose schedule came round) gets a field PAT session. Sessions run one at a time, and a failed one is
/// logged and retried at the next check rather than stopping the service.
/// </summary>
public sealed partial class FieldUpdateService(MeasurementStore store, FieldUpdatePolicy policy, FieldPatSession session, ILogger logger, TrainerMetrics? metrics = null, TimeProvider? clock = null)
{
    private readonly FieldUpdatePolicy _policy = (policy ?? throw new ArgumentNullException(nameof(policy))).Validate();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly List<FieldDevice> _devices = [];

    /// <summary>Raised after each drift score (null score: too few measurements yet).</summary>
    public event Action<string, DriftScore?, DateTimeOffset>? Scored;

    /// <summary>Raised when a session starts, with the residual rise that triggered it.</summary>
    public event Action<FieldDevice, UpdateReason, double?>? Starting;

    /// <summary>Receives (stage, fraction) of a running session.</summary>
    public Action<string, double>? Progress { get; set; }

    /// <summary>The devices watched.</summary>
    public IReadOnlyList<FieldDevice> Devices => _devices;

    /// <summary>Starts watching <paramref name="device"/>.</summary>
    public void Track(FieldDevice device) => _devices.Add(device ?? throw new ArgumentNullException(nameof(device)));

    /// <summary>Checks every device once and runs the sessions that are due; returns their outcomes.</summary>
    public async Task<IReadOnlyList<FieldUpdateOutcome>> CheckOnceAsync(CancellationToken cancellationToken = default)
    {
        var outcomes = new List<FieldUpdateOutcome>();
        foreach (var device in _devices)
        {
            DriftScore? score;
            try
            {
                score = await LiveTwin.TryDriftAsync(store, device.DeviceId, device.Twin, _policy.DriftSamples, _policy.MinimumSamples, metrics, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                // A store that does not answer, or measurements of another layer, must not end the watch.
                LogScoreFailed(e, device.DeviceId, e.Message);
                continue;
            }

            var now = _clock.GetUtcNow();
            Scored?.Invoke(device.DeviceId, score, now);
            if (score is { } first && device.BaselineDrift is null)
            {
                device.BaselineDrift = first.Nmse;
            }

            var rise = (score?.Nmse / device.BaselineDrift) - 1;
            var reason = _policy.Due(now, device.TrainedAt, rise);
            if (reason == UpdateReason.None)
            {
                continue;
            }

            LogStarting(device.DeviceId, FieldPatSession.Name(reason), score?.Nmse ?? double.NaN, rise ?? double.NaN, device.Version);
            Starting?.Invoke(device, reason, rise);
            try
            {
                var outcome = await session.RunAsync(device, reason, rise, Progress, cancellationToken).ConfigureAwait(false);
                LogFinished(device.DeviceId, outcome.Version, outcome.Accepted, outcome.Verdict, outcome.AccuracyBefore, outcome.AccuracyAfter);
                outcomes.Add(outcome);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // An agent offline or a broker hiccup must not end the watch: the next check tries again.
                metrics?.FieldUpdates.WithLabels(device.DeviceId, FieldPatSession.Name(reason), "failed").Inc();
                LogFailed(e, device.DeviceId, e.Message);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Field update of {Device} starts ({Reason}; twin residual NMSE {Drift:F3}, rise {Rise:F3}; running v{Version})")]
    private partial void LogStarting(string device, string reason, double drift, double rise, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Field update of {Device}: v{Version} accepted={Accepted} ({Verdict}); device accuracy {Before:P1} -> {After:P1}")]
    private partial void LogFinished(string device, int version, bool accepted, string verdict, double before, double after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift of {Device} could not be scored; trying again at the next check: {Problem}")]
    private partial void LogScoreFailed(Exception exception, string device, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Field update of {Device} failed; retrying at the next check: {Problem}")]
    private partial void LogFailed(Exception exception, string device, string problem);
}
