using System.Net;
using System.Net.Sockets;

namespace Edge.Hosting.Observability;

/// <summary>What <c>GET /healthz</c> answers: 200 when healthy, else 503, with a body naming the state.</summary>
/// <param name="Healthy">Whether the service can do its job.</param>
/// <param name="Body">The response body.</param>
/// <param name="ContentType">Its media type.</param>
public sealed record HealthAnswer(bool Healthy, byte[] Body, string ContentType);

/// <summary>
/// The small HTTP endpoint agent and trainer both serve: <c>GET /metrics</c> (Prometheus text format, written by the
/// caller's registry) and <c>GET /healthz</c>. Binds the configured address itself (a TCP listener, not
/// <see cref="HttpListener"/>, whose prefixes also filter on the Host header: a scraper that addressed the device by
/// its IP got 404), so any Host header is answered. One request at a time, each bounded in size and time — plenty for
/// a scraper and a health probe, and it keeps health probes (which may touch a store) serial. Runs until disposed.
/// </summary>
public sealed class HealthMetricsListener : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners;
    private readonly Func<Stream, CancellationToken, Task> _writeMetrics;
    private readonly Func<CancellationToken, Task<HealthAnswer>> _health;
    private readonly Action<string?, Exception>? _answerFailed;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;

    private HealthMetricsListener(
        List<TcpListener> listeners,
        Func<Stream, CancellationToken, Task> writeMetrics,
        Func<CancellationToken, Task<HealthAnswer>> health,
        Action<string?, Exception>? answerFailed)
    {
        (_listeners, _writeMetrics, _health, _answerFailed) = (listeners, writeMetrics, health, answerFailed);
        _loops = [.. listeners.Select(listener => Task.Run(() => ServeAsync(listener, _stop.Token)))];
    }

    /// <summary>The local endpoints listened on (port 0 in <see cref="Start"/> picks a free port).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => [.. _listeners.Select(l => (IPEndPoint)l.LocalEndpoint)];

    /// <summary>Starts serving on <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">
    /// Address or host name to listen on: an IP address, a name (every address it resolves to, e.g. both loopbacks for
    /// <c>localhost</c>), or <c>+</c> / <c>*</c> for every interface.
    /// </param>
    /// <param name="port">TCP port, 0..65535 (0: a free port, see <see cref="Endpoints"/>).</param>
    /// <param name="writeMetrics">Writes the metrics in Prometheus text format.</param>
    /// <param name="health">Answers the health check.</param>
    /// <param name="answerFailed">Told (path, error) when a client went away mid-answer or sent a bad request.</param>
    /// <exception cref="InvalidOperationException">The address cannot be listened on; the message names it.</exception>
    public static HealthMetricsListener Start(
        string host,
        int port,
        Func<Stream, CancellationToken, Task> writeMetrics,
        Func<CancellationToken, Task<HealthAnswer>> health,
        Action<string?, Exception>? answerFailed = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(writeMetrics);
        ArgumentNullException.ThrowIfNull(health);
        var listeners = new List<TcpListener>();
        SocketException? failure = null;
        foreach (var address in Addresses(host))
        {
            var listener = new TcpListener(address, port);
            try
            {
                listener.Start();
            }
            catch (SocketException e)
                when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
            {
                // A name may resolve to an address this machine cannot bind (e.g. ::1 without IPv6); the others serve.
                failure ??= e;
                listener.Dispose();
                continue;
            }
            catch (SocketException e)
            {
                listener.Dispose();
                listeners.ForEach(l => l.Dispose());
                throw new InvalidOperationException(
                    $"Cannot serve metrics and health on http://{host}:{port}/: {e.Message}", e);
            }

            listeners.Add(listener);

            // Every address of a name shares one port: the first bind picks it when the caller asked for any.
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        return listeners.Count > 0
            ? new HealthMetricsListener(listeners, writeMetrics, health, answerFailed)
            : throw new InvalidOperationException(
                $"Cannot serve metrics and health on http://{host}:{port}/: {failure?.Message}", failure);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listeners.ForEach(l => l.Stop());
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _listeners.ForEach(l => l.Dispose());
        _stop.Dispose();
        _oneAtATime.Dispose();
    }

    private static IPAddress[] Addresses(string host)
    {
        if (host is "+" or "*")
        {
            return [IPAddress.Any];
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return [address];
        }

        try
        {
            var resolved = Dns.GetHostAddresses(host);
            return resolved.Length > 0
                ? resolved
                : throw new InvalidOperationException($"Host '{host}' resolves to no address.");
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"Cannot resolve the metrics host '{host}': {e.Message}", e);
        }
    }

    private async Task ServeAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
                when (e is SocketException or ObjectDisposedException or OperationCanceledException
                    or InvalidOperationException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    await AnswerAsync(client.GetStream(), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _oneAtATime.Release();
                }
            }
        }
    }

    private async Task AnswerAsync(NetworkStream connection, CancellationToken cancellationToken)
    {
        const string text = "text/plain; charset=utf-8";
        string? path = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(MiniHttp.RequestTimeout);
        var token = deadline.Token;
        try
        {
            var request = await MiniHttp.ReadRequestAsync(connection, token).ConfigureAwait(false);
            path = request.Path;
            var head = request.Method == "HEAD";
            if (request.Method is not ("GET" or "HEAD"))
            {
                await MiniHttp.WriteAsync(connection, 405, text, "only GET\n"u8.ToArray(), head,
                    token).ConfigureAwait(false);
                return;
            }

            var (status, contentType, body) = path switch
            {
                "/metrics" => await MetricsAsync(token).ConfigureAwait(false),
                "/healthz" => await HealthAsync(token).ConfigureAwait(false),
                _ => (404, text, "not found: /metrics or /healthz\n"u8.ToArray()),
            };
            await MiniHttp.WriteAsync(connection, status, contentType, body, head, token).ConfigureAwait(false);
        }
        catch (MiniHttp.BadRequestException e)
        {
            _answerFailed?.Invoke(path, e);
            var body = System.Text.Encoding.UTF8.GetBytes(e.Message + "\n");
            await TryAsync(() => MiniHttp.WriteAsync(connection, 400, text, body, false, token)).ConfigureAwait(false);
        }
        catch (Exception e)
            when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or was too slow, or we are stopping; nothing to do but say so.
            _answerFailed?.Invoke(path, e);
        }
    }

    private async Task<(int Status, string ContentType, byte[] Body)> MetricsAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await _writeMetrics(body, cancellationToken).ConfigureAwait(false);
        return (200, "text/plain; version=0.0.4; charset=utf-8", body.ToArray());
    }

    private async Task<(int Status, string ContentType, byte[] Body)> HealthAsync(CancellationToken cancellationToken)
    {
        var health = await _health(cancellationToken).ConfigureAwait(false);
        return (health.Healthy ? 200 : 503, health.ContentType, health.Body);
    }

    private static async Task TryAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception e)
            when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the client that sent a bad request may already be gone.
        }
    }
}
