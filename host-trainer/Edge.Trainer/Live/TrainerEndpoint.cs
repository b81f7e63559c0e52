using System.Net;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Edge.Trainer.Live;

/// <summary>
/// The trainer's HTTP endpoint: <c>GET /metrics</c> (Prometheus text format from <see cref="TrainerMetrics"/>) and
/// <c>GET /healthz</c> (200 or 503 with the <see cref="TrainerHealth"/> JSON). Runs until disposed.
/// </summary>
public sealed partial class TrainerEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CollectorRegistry _registry;
    private readonly Func<CancellationToken, Task<TrainerHealth>> _health;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TrainerEndpoint(CollectorRegistry registry, Func<CancellationToken, Task<TrainerHealth>> health, ILogger logger, string prefix)
    {
        (_registry, _health, _logger) = (registry, health, logger);
        _listener.Prefixes.Add(prefix);
        _listener.Start();
        _loop = Task.Run(() => ServeAsync(_stop.Token));
    }

    /// <summary>Starts serving on <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="InvalidOperationException">The port cannot be listened on; the message names it.</exception>
    public static TrainerEndpoint Start(TrainerMetrics metrics, Func<CancellationToken, Task<TrainerHealth>> health, ILogger logger, int port, string host = "localhost")
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        try
        {
            return new TrainerEndpoint(metrics.Registry, health, logger, $"http://{host}:{port}/");
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"Cannot serve metrics and health on http://{host}:{port}/: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _loop.ConfigureAwait(false);
        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            // One request at a time is plenty for a scraper and a health probe, and keeps the store probe serial.
            await AnswerAsync(context, cancellationToken).ConfigureAwait(false);
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
                    await _registry.CollectAndExportAsTextAsync(response.OutputStream, cancellationToken).ConfigureAwait(false);
                    break;
                case "/healthz":
                    var health = await _health(cancellationToken).ConfigureAwait(false);
                    response.StatusCode = health.Healthy ? 200 : 503;
                    response.ContentType = "application/json";
                    await response.OutputStream.WriteAsync(health.ToJson(), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            // The client went away mid-answer, or we are stopping; nothing to do.
            LogAnswerFailed(_logger, context.Request.Url?.AbsolutePath, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answering {Path} failed: {Reason}")]
    private static partial void LogAnswerFailed(ILogger logger, string? path, string reason);
}
