using Edge.Domain.Devices;
using Edge.Hosting.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>
/// Serves <c>GET /metrics</c> (Prometheus text format from <see cref="AgentMetrics"/>) and <c>GET /healthz</c> on
/// <c>Edge:Metrics:Port</c>: the <see cref="ServiceHealth"/> JSON of agent and trainer with the checks
/// <c>broker</c> (unhealthy while not connected), <c>device</c> (unhealthy while not ready, e.g. a bridge link that
/// is down and reconnecting) and <c>delivery</c> (degraded, naming each problem: the outbox cannot write, a
/// subscription was refused); 200 only when all three are healthy.
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

    /// <summary>The broker link, the device and delivery (outbox, subscriptions), as one JSON report.</summary>
    private HealthAnswer Health()
    {
        var status = device is IReportsDeviceStatus reporting ? reporting.GetStatus() : null;
        var problems = mqtt.Problems;
        var report = new ServiceHealth(
            "edge-agent",
            [
                mqtt.IsConnected
                    ? new HealthCheck("broker", HealthStatus.Healthy, "connected to the MQTT broker")
                    : new HealthCheck("broker", HealthStatus.Unhealthy, "not connected to the MQTT broker"),
                status is { Ready: false }
                    ? new HealthCheck(
                        "device", HealthStatus.Unhealthy, $"device {device.DeviceId} {status.State}: {status.Problem}")
                    : new HealthCheck("device", HealthStatus.Healthy, $"device {device.DeviceId} ready"),
                problems.Count == 0
                    ? new HealthCheck("delivery", HealthStatus.Healthy, "outbox and subscriptions work")
                    : new HealthCheck("delivery", HealthStatus.Degraded, string.Join("; ", problems)),
            ]);
        return new HealthAnswer(report.Healthy, report.ToJson(), "application/json");
    }

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Metrics on http://{Host}:{Port}/metrics, health on /healthz")]
    private static partial void LogListening(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics endpoint cannot listen on {Host}:{Port}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string host, int port, string reason);
}
