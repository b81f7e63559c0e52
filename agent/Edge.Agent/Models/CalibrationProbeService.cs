using Edge.Agent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Models;

/// <summary>
/// Replays the calibration set through the active model every <see cref="ModelsOptions.CalibrationProbeSeconds"/>,
/// so the agent knows its live accuracy (metric, log, <c>models list</c>, <c>status</c>) and rolls back a model that
/// is confidently wrong.
/// </summary>
public sealed partial class CalibrationProbeService(
    ModelStore store,
    IOptions<ModelsOptions> options,
    ILogger<CalibrationProbeService> logger,
    TimeProvider? clock = null) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.CalibrationProbeSeconds;
        if (seconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), clock ?? TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ProbeOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is not an error.
        }
    }

    private async Task ProbeOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await store.ProbeCalibrationAsync(stoppingToken).ConfigureAwait(false) is { } health)
            {
                LogProbe(logger, health.Version, health.LiveAccuracy, health.Rounds, health.InstallAccuracy);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A device that fails mid-round is the health window's business; the probes carry on next time.
            LogProbeFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Calibration probe: v{Version} live accuracy {LiveAccuracy:P1} over {Rounds} rounds "
            + "(at install {InstallAccuracy:P1})")]
    private static partial void LogProbe(
        ILogger logger, int version, double liveAccuracy, int rounds, double installAccuracy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calibration probe failed: {Problem}")]
    private static partial void LogProbeFailed(ILogger logger, string problem);
}
