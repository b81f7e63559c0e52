using Edge.Hosting.Observability;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live;

/// <summary>
/// The trainer's HTTP endpoint: <c>GET /metrics</c> (Prometheus text format from <see cref="TrainerMetrics"/>) and
/// <c>GET /healthz</c> (200 or 503 with the <see cref="TrainerHealth.Report"/> JSON), on the shared
/// <see cref="HealthMetricsListener"/>. Runs until disposed.
/// </summary>
public static partial class TrainerEndpoint
{
    /// <summary>Starts serving on <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="InvalidOperationException">The port cannot be listened on; the message names it.</exception>
    public static HealthMetricsListener Start(TrainerMetrics metrics, Func<CancellationToken, Task<TrainerHealth>>
        health, ILogger logger, int port, string host = "localhost")
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(health);
        return HealthMetricsListener.Start(
            host,
            port,
            (stream, token) => metrics.Registry.CollectAndExportAsTextAsync(stream, token),
            async token =>
            {
                var answer = await health(token).ConfigureAwait(false);
                var report = answer.Report();
                return new HealthAnswer(report.Healthy, report.ToJson(), "application/json");
            },
            (path, error) => LogAnswerFailed(logger, path, error.Message));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answering {Path} failed: {Reason}")]
    private static partial void LogAnswerFailed(ILogger logger, string? path, string reason);
}
