using Edge.Domain.Devices;
using Edge.Domain.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>
/// Serves <c>GET /metrics</c> (Prometheus text format from <see cref="AgentMetrics"/>) and <c>GET /healthz</c>
/// (200 "healthy" while the MQTT link is up and the device is ready, 503 naming the problem otherwise, e.g. a bridge
/// link that is down and reconnecting) on <c>Edge:Metrics:Port</c>.
/// </summary>
public sealed partial class MetricsEndpoint(
    IOptions<MetricsOptions> options,
    AgentMetrics metrics,
    MqttAgentService mqtt,
    IPhysicalDevice device,
    ILogger<MetricsEndpoint> logger) : BackgroundService
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
                _ => Task.FromResult(HealthNow()));
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

    private HealthAnswer HealthNow()
    {
        var problem = !mqtt.IsConnected ? "not connected to the MQTT broker"
            : device is IReportsDeviceStatus reporting && reporting.GetStatus() is { Ready: false } status
                ? $"device {device.DeviceId} {status.State}: {status.Problem}"
            : null;
        return problem is null
            ? new HealthAnswer(true, "healthy"u8.ToArray(), "text/plain; charset=utf-8")
            : new HealthAnswer(false, System.Text.Encoding.UTF8.GetBytes($"unhealthy: {problem}"), "text/plain; charset=utf-8");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics on http://{Host}:{Port}/metrics, health on /healthz")]
    private static partial void LogListening(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics endpoint cannot listen on {Host}:{Port}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string host, int port, string reason);
}
