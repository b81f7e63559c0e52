using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Commissioning;

/// <summary>
/// The fleet's automatic commissioning: every <see cref="CheckInterval"/> it looks at the agents the broker knows
/// (<see cref="AgentDirectory"/>) and commissions each online agent of the product line's system that the ledger has
/// not commissioned and whose backoff is over — one at a time, so two parts never compete for the trainer's cores.
/// A restarted trainer reads the same ledger: what was commissioned stays commissioned.
/// </summary>
/// <param name="directory">The agents the broker knows (started by the caller).</param>
/// <param name="commissioning">Commissions one agent and records the attempt.</param>
/// <param name="system">The physical system of the product line; agents of another system are left alone.</param>
/// <param name="logger">Receives the decisions.</param>
/// <param name="clock">The time; the system clock unless given.</param>
public sealed partial class CommissioningService(
    AgentDirectory directory,
    PartCommissioning commissioning,
    string system,
    ILogger logger,
    TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>How often the directory is looked at.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Commissions what is due now; returns the attempts made.</summary>
    public async Task<IReadOnlyList<CommissioningRecord>> CheckOnceAsync(CancellationToken cancellationToken = default)
    {
        var attempts = new List<CommissioningRecord>();
        var online = directory.Agents.Values
            .Where(s => s.State == StatusMessage.Online)
            .OrderBy(s => s.DeviceId, StringComparer.Ordinal)
            .ToList();
        foreach (var status in online)
        {
            if (await DueAsync(status, cancellationToken).ConfigureAwait(false))
            {
                var record = await commissioning
                    .CommissionAsync(status.DeviceId, status.ModelVersion, cancellationToken)
                    .ConfigureAwait(false);
                attempts.Add(record);
            }
        }

        return attempts;
    }

    /// <summary>Checks every <see cref="CheckInterval"/> until cancelled (the first check at once).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        LogWatching(system, CheckInterval);
        using var timer = new PeriodicTimer(CheckInterval, _clock);
        try
        {
            do
            {
                await CheckOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is not an error.
        }
    }

    private async Task<bool> DueAsync(StatusMessage status, CancellationToken cancellationToken)
    {
        var device = status.DeviceId;
        if (status.System is { } agentSystem && !string.Equals(agentSystem, system, StringComparison.Ordinal))
        {
            Once(device, "other-system", () => LogOtherSystem(device, agentSystem, system));
            return false;
        }

        var record = await commissioning.Ledger.FindAsync(device, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return true;
        }

        if (record.State == CommissioningState.Commissioned)
        {
            Once(device, "commissioned", () => LogAlready(device, record.Version ?? 0, record.LastAttempt));
            return false;
        }

        if (record.NextAttempt is { } next && next > _clock.GetUtcNow())
        {
            Once(device, $"wait-{next.ToUnixTimeSeconds()}", () => LogWaiting(device, record.Attempts, next));
            return false;
        }

        return true;
    }

    // Each wait is logged once per reason, not at every check.
    private void Once(string device, string reason, Action log)
    {
        if (_reported.Add(device + "\n" + reason))
        {
            log();
        }
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Commissioning: watching for new {System} agents; check every {Interval}")]
    private partial void LogWatching(string system, TimeSpan interval);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Commissioning: {Device} is a {AgentSystem} agent, not {System}; left alone")]
    private partial void LogOtherSystem(string device, string agentSystem, string system);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Commissioning: {Device} already commissioned (v{Version} at {At:O}); nothing to do")]
    private partial void LogAlready(string device, int version, DateTimeOffset at);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Commissioning: {Device} waits after {Attempts} unsuccessful attempts; next not before {Next:O}")]
    private partial void LogWaiting(string device, int attempts, DateTimeOffset next);
}
