using Edge.Domain.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>
/// Serves <c>GET /metrics</c> (Prometheus text format from <see cref="AgentMetrics"/>) and <c>GET /healthz</c>
/// (200 "healthy" while the MQTT link is up, 503 naming the problem otherwise) on <c>Edge:Metrics:Port</c>.
/// </summary>
public sealed partial class MetricsEndpoint(IOptions<MetricsOptions> options, AgentMetrics metrics, MqttAgentService mqtt, ILogger<MetricsEndpoint> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        if (settings.Port == 0)
        {
            return;
        }

        HealthMetricsListener listener;
        try
        {
            listener = HealthMetricsListener.Start(
                settings.Host,
                settings.Port,
                (stream, token) => metrics.Registry.CollectAndExportAsTextAsync(stream, token),
                _ => Task.FromResult(mqtt.IsConnected
                    ? new HealthAnswer(true, "healthy"u8.ToArray(), "text/plain; charset=utf-8")
                    : new HealthAnswer(false, "unhealthy: not connected to the MQTT broker"u8.ToArray(), "text/plain; charset=utf-8")));
        }
        catch (InvalidOperationException e)
        {
            LogCannotListen(logger, settings.Host, settings.Port, e.Message);
            return;
        }

        await using (listener.ConfigureAwait(false))
        {
            LogListening(logger, settings.Host, settings.Port);
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping: disposing the listener ends it.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics on http://{Host}:{Port}/metrics, health on /healthz")]
    private static partial void LogListening(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics endpoint cannot listen on {Host}:{Port}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string host, int port, string reason);
}
