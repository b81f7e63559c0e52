using System.Net;
using System.Text;
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

        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{settings.Host}:{settings.Port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            LogCannotListen(logger, settings.Host, settings.Port, e.Message);
            return;
        }

        LogListening(logger, settings.Host, settings.Port);
        await using var stop = stoppingToken.Register(listener.Stop).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await AnswerAsync(context, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        using var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/metrics":
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await metrics.Registry.CollectAndExportAsTextAsync(response.OutputStream, cancellationToken).ConfigureAwait(false);
                    break;
                case "/healthz":
                    var healthy = mqtt.IsConnected;
                    response.StatusCode = healthy ? 200 : 503;
                    var text = healthy ? "healthy" : "unhealthy: not connected to the MQTT broker";
                    await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
        }
        catch (HttpListenerException)
        {
            // The scraper went away mid-answer; nothing to do.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics on http://{Host}:{Port}/metrics, health on /healthz")]
    private static partial void LogListening(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics endpoint cannot listen on {Host}:{Port}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string host, int port, string reason);
}
