using System.Net;

namespace Edge.Domain.Observability;

/// <summary>What <c>GET /healthz</c> answers: 200 when healthy, else 503, with a body naming the state.</summary>
/// <param name="Healthy">Whether the service can do its job.</param>
/// <param name="Body">The response body.</param>
/// <param name="ContentType">Its media type.</param>
public sealed record HealthAnswer(bool Healthy, byte[] Body, string ContentType);

/// <summary>
/// The small HTTP endpoint agent and trainer both serve: <c>GET /metrics</c> (Prometheus text format, written by the
/// caller's registry) and <c>GET /healthz</c>. One request at a time — plenty for a scraper and a health probe, and it
/// keeps health probes (which may touch a store) serial. Runs until disposed.
/// </summary>
public sealed class HealthMetricsListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<Stream, CancellationToken, Task> _writeMetrics;
    private readonly Func<CancellationToken, Task<HealthAnswer>> _health;
    private readonly Action<string?, Exception>? _answerFailed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private HealthMetricsListener(string prefix, Func<Stream, CancellationToken, Task> writeMetrics, Func<CancellationToken, Task<HealthAnswer>> health, Action<string?, Exception>? answerFailed)
    {
        (_writeMetrics, _health, _answerFailed) = (writeMetrics, health, answerFailed);
        _listener.Prefixes.Add(prefix);
        _listener.Start();
        _loop = Task.Run(() => ServeAsync(_stop.Token));
    }

    /// <summary>Starts serving on <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">Host name or address to listen on.</param>
    /// <param name="port">TCP port, 1..65535.</param>
    /// <param name="writeMetrics">Writes the metrics in Prometheus text format.</param>
    /// <param name="health">Answers the health check.</param>
    /// <param name="answerFailed">Told (path, error) when a client went away mid-answer.</param>
    /// <exception cref="InvalidOperationException">The port cannot be listened on; the message names it.</exception>
    public static HealthMetricsListener Start(string host, int port, Func<Stream, CancellationToken, Task> writeMetrics, Func<CancellationToken, Task<HealthAnswer>> health, Action<string?, Exception>? answerFailed = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(writeMetrics);
        ArgumentNullException.ThrowIfNull(health);
        try
        {
            return new HealthMetricsListener($"http://{host}:{port}/", writeMetrics, health, answerFailed);
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
                    await _writeMetrics(response.OutputStream, cancellationToken).ConfigureAwait(false);
                    break;
                case "/healthz":
                    var health = await _health(cancellationToken).ConfigureAwait(false);
                    response.StatusCode = health.Healthy ? 200 : 503;
                    response.ContentType = health.ContentType;
                    await response.OutputStream.WriteAsync(health.Body, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            // The client went away mid-answer, or we are stopping; nothing to do but say so.
            _answerFailed?.Invoke(context.Request.Url?.AbsolutePath, e);
        }
    }
}
