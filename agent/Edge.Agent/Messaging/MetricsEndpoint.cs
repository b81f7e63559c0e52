using Edge.Domain.Devices;
using Edge.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>
/// Serves <c>GET /metrics</c> (Prometheus text format from <see cref="AgentMetrics"/>) and <c>GET /healthz</c>
/// (200 "healthy" while the MQTT link is up, the device is ready and nothing is wrong; 503 "unhealthy: …"
/// without the broker or with a device that is not ready, e.g. a bridge link that is down and reconnecting;
/// 503 "degraded: …" naming each problem — the outbox cannot write, a subscription was refused) on
/// <c>Edge:Metrics:Port</c>.
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
                _ => Task.FromResult(Health()));
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

    /// <summary>Unhealthy (no broker, device not ready) or degraded (the outbox or a subscription fails).</summary>
    private HealthAnswer Health()
    {
        const string Text = "text/plain; charset=utf-8";
        var unhealthy = !mqtt.IsConnected ? "not connected to the MQTT broker"
            : device is IReportsDeviceStatus reporting && reporting.GetStatus() is { Ready: false } status
                ? $"device {device.DeviceId} {status.State}: {status.Problem}"
            : null;
        if (unhealthy is not null)
        {
            return new HealthAnswer(false, System.Text.Encoding.UTF8.GetBytes($"unhealthy: {unhealthy}"), Text);
        }

        var problems = mqtt.Problems;
        return problems.Count == 0
            ? new HealthAnswer(true, "healthy"u8.ToArray(), Text)
            : new HealthAnswer(
                false, System.Text.Encoding.UTF8.GetBytes("degraded: " + string.Join("; ", problems)), Text);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics on http://{Host}:{Port}/metrics, health on /healthz")]
    private static partial void LogListening(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics endpoint cannot listen on {Host}:{Port}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string host, int port, string reason);
}
