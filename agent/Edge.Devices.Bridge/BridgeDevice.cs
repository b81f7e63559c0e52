using System.Globalization;
using System.IO.Ports;
using System.Net.Sockets;
using Edge.Bridge.Protocol;
using Edge.Domain.Devices;
using Edge.Domain.Specs;
using Edge.Domain.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Bridge;

/// <summary>
/// A physical layer played by the ESP32 bridge: each drive becomes a PlayAndCapture request (segment codes, the layer's
/// sample rate, its bins), the bridge plays and samples it with exact timing and returns the bin means. The link is the
/// framed, acknowledged bridge protocol (firmware-bridge/PROTOCOL.md) over a serial port or, for the emulator, TCP.
/// When the link fails — retry limit, silence, the port or socket gone — the device reports itself not ready, fails
/// what was in flight with an <see cref="IOException"/>, and reconnects in the background with a fresh Hello and
/// backoff; forwards in the meantime fail at once with an <see cref="IOException"/> naming the reason.
/// </summary>
public sealed partial class BridgeDevice : IPhysicalDevice, IReportsDeviceStatus, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<CancellationToken, Task<BridgeConnection>> _connect;
    private readonly BridgeDeviceOptions _options;
    private readonly ILogger _logger;
    private readonly BridgeCounters _counters = new();
    private readonly LinkTuning _tuning;
    private readonly CancellationTokenSource _stop = new();
    private BridgeSession? _session;
    private Task _reconnecting = Task.CompletedTask;
    private string? _problem;
    private string? _recovered;
    private int _reconnects;
    private bool _disposed;

    private BridgeDevice(
        LayerSpec spec,
        string deviceId,
        Func<CancellationToken, Task<BridgeConnection>> connect,
        BridgeDeviceOptions options,
        ILogger? logger)
    {
        Spec = spec;
        DeviceId = deviceId;
        _connect = connect;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        Validate(options);
        _tuning = new LinkTuning(options);
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <inheritdoc />
    public string DeviceId { get; }

    /// <summary>What the bridge reported in HelloAck (of the current or last session).</summary>
    public HelloAckMessage? BridgeInfo { get; private set; }

    /// <summary>Whether a session is up; false while the device reconnects.</summary>
    public bool IsConnected => CurrentSession() is { Failure: null };

    /// <summary>Sessions opened after the first one (successful reconnections).</summary>
    public int Reconnections => Volatile.Read(ref _reconnects);

    /// <summary>Bytes sent and received on the line, over all sessions.</summary>
    public long LineBytes => _counters.LineBytes;

    /// <summary>Waveform payload carried: segment codes sent plus captured values received, in bytes.</summary>
    public long PayloadBytes => _counters.PayloadBytes;

    /// <summary>
    /// The drives' own share of <see cref="PayloadBytes"/>: their segment codes and bins, rest segments excluded.
    /// </summary>
    public long DriveBytes => _counters.DriveBytes;

    /// <summary>Drives packed per request after fitting the negotiated payload and buffer.</summary>
    public int DrivesPerRequest => CurrentSession()?.DrivesPerRequest ?? 1;

    /// <summary>Retransmissions of the link so far, over all sessions.</summary>
    public long Retransmissions => _counters.Retransmissions;

    /// <summary>Opens a serial port (the ESP32's UART, or a pty made by socat) and says Hello.</summary>
    /// <exception cref="IOException">The port cannot be opened, or the bridge does not answer or cannot play the
    /// layer.</exception>
    public static Task<BridgeDevice> OpenSerialAsync(
        LayerSpec spec,
        string deviceId,
        string portName,
        int baudRate,
        BridgeDeviceOptions? options = null,
        CancellationToken cancellationToken = default,
        ILogger? logger = null)
    {
        var settings = (options ?? new BridgeDeviceOptions()) with { BaudRate = baudRate };
        return OpenAsync(
            spec, deviceId, _ => Task.FromResult(OpenPort(portName, baudRate)), settings, logger, cancellationToken);
    }

    /// <summary>Connects to a bridge emulator listening on TCP and says Hello.</summary>
    /// <exception cref="IOException">The emulator cannot be reached, does not answer or cannot play the
    /// layer.</exception>
    public static Task<BridgeDevice> OpenTcpAsync(
        LayerSpec spec,
        string deviceId,
        string host,
        int port,
        BridgeDeviceOptions? options = null,
        CancellationToken cancellationToken = default,
        ILogger? logger = null) =>
        OpenAsync(
            spec, deviceId, token => ConnectTcpAsync(host, port, token), options ?? new(), logger, cancellationToken);

    /// <summary>
    /// Connects through <paramref name="connect"/> (called again for every reconnection), says Hello, checks the bridge
    /// can play <paramref name="spec"/> and sets its safe code.
    /// </summary>
    /// <exception cref="IOException">The bridge cannot be reached, did not answer, refused, or cannot play the
    /// layer.</exception>
    public static async Task<BridgeDevice> OpenAsync(
        LayerSpec spec,
        string deviceId,
        Func<CancellationToken, Task<BridgeConnection>> connect,
        BridgeDeviceOptions options,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(options);
        var device = new BridgeDevice(spec.Validate(), deviceId, connect, options, logger);
        try
        {
            var session = await device.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            device.Install(session);
            return device;
        }
        catch
        {
            await device.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The link is down (the device is reconnecting) or failed during the
    /// forward.</exception>
    public ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
    {
        var session = CurrentSession();
        if (session is not { Failure: null })
        {
            throw new IOException(
                $"Bridge for layer '{Spec.Name}' is not connected ({Problem(session)}); "
                + "reconnecting in the background.");
        }

        return session.ForwardAsync(drives, responses, cancellationToken);
    }

    /// <inheritdoc />
    public DeviceStatus GetStatus()
    {
        var session = CurrentSession();
        var figures = new Dictionary<string, double>
        {
            ["reconnections"] = Reconnections,
            ["retransmissions"] = Retransmissions,
            ["lineBytes"] = LineBytes,
            ["baudRate"] = _options.BaudRate,
        };
        if (session is { Failure: null })
        {
            var (smoothed, variation, timeout) = session.RoundTrip;
            figures["smoothedRoundTripMs"] = smoothed;
            figures["roundTripVariationMs"] = variation;
            figures["retransmitTimeoutMs"] = timeout;
            var (requestPayload, retryLimit, lossPerByte) = session.Tuning;
            figures["requestPayloadBytes"] = requestPayload;
            figures["retryLimit"] = retryLimit;
            figures["lineLossPerByte"] = lossPerByte;
            return new DeviceStatus(true, "ready", session.LastDeviceError ?? Volatile.Read(ref _recovered), figures);
        }

        return new DeviceStatus(false, _disposed ? "closed" : "reconnecting", Problem(session), figures);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        BridgeSession? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
            _session = null;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _reconnecting.ConfigureAwait(false);
        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private static void Validate(BridgeDeviceOptions options)
    {
        if (options.MaxOutstandingRequests is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MaxOutstandingRequests, "The bridge queues 1 to 8 requests.");
        }

        if (options.BaudRate < 0 || options.RetryLimit < 0
            || options.MinRetransmitTimeout < TimeSpan.FromMilliseconds(1)
            || options.MaxRetransmitTimeout < options.MinRetransmitTimeout
            || options.RetransmitTimeout < TimeSpan.FromMilliseconds(1)
            || options.SilenceTimeout <= options.HeartbeatInterval || options.StallTimeout <= options.HeartbeatInterval
            || options.ReconnectDelay <= TimeSpan.Zero
            || options.MaxReconnectDelay < options.ReconnectDelay)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                "Bridge timing: baud rate and retry limit must not be negative, 1 ms ≤ minimum ≤ maximum retransmit "
                + "timeout, silence and stall timeouts above the heartbeat interval, 0 < reconnect delay ≤ its "
                + "maximum.");
        }
    }

    private static BridgeConnection OpenPort(string portName, int baudRate)
    {
        var port = new SerialPort(portName, baudRate) { ReadTimeout = SerialPort.InfiniteTimeout, WriteTimeout = 2000 };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or InvalidOperationException)
        {
            port.Dispose();
            throw new IOException(
                $"Cannot open the bridge's serial port '{portName}' at {baudRate} baud: {e.Message}", e);
        }

        return new BridgeConnection(port.BaseStream, port, portName);
    }

    private static async Task<BridgeConnection> ConnectTcpAsync(
        string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new IOException($"Cannot reach the bridge emulator at {host}:{port}: {e.Message}", e);
        }

        var description = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        return new BridgeConnection(client.GetStream(), client, description);
    }

    /// <summary>Why the device is down: the reconnection's story, or the session's failure before it is told.</summary>
    private string Problem(BridgeSession? session)
    {
        lock (_gate)
        {
            return _problem ?? session?.Failure ?? "closed";
        }
    }

    private BridgeSession? CurrentSession()
    {
        lock (_gate)
        {
            return _session;
        }
    }

    private async Task<BridgeSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var connection = await _connect(cancellationToken).ConfigureAwait(false);
        return await BridgeSession.OpenAsync(
                Spec, connection, _options, _counters, _tuning, OnSessionFailed, cancellationToken)
            .ConfigureAwait(false);
    }

    private void Install(BridgeSession session)
    {
        lock (_gate)
        {
            _session = session;
            BridgeInfo = session.BridgeInfo;
        }
    }

    private void OnSessionFailed(BridgeSession session, string reason)
    {
        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(_session, session))
            {
                return;
            }

            _problem = reason;
            _reconnecting = Task.Run(() => ReconnectAsync(session, reason));
        }
    }

    private async Task ReconnectAsync(BridgeSession failed, string reason)
    {
        LogLinkLost(_logger, DeviceId, failed.Description, reason);
        await failed.DisposeAsync().ConfigureAwait(false);
        var waits = new ExponentialBackoff(_options.ReconnectDelay, _options.MaxReconnectDelay);
        var delay = waits.Next();
        var started = DateTime.UtcNow;
        for (var attempt = 1; !_stop.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                var session = await OpenSessionAsync(_stop.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_disposed)
                    {
                        _ = session.DisposeAsync().AsTask();
                        return;
                    }

                    _session = session;
                    BridgeInfo = session.BridgeInfo;
                    _reconnects++;
                    _recovered = $"recovered from: {_problem}";
                    _problem = null;
                }

                var downSeconds = (DateTime.UtcNow - started).TotalSeconds;
                LogReconnected(_logger, DeviceId, session.Description, attempt, downSeconds);
                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or TimeoutException or ProtocolException
                or InvalidOperationException)
            {
                lock (_gate)
                {
                    _problem = $"{reason}; reconnection attempt {attempt} failed: {e.Message}";
                }

                delay = waits.Next();
                LogReconnectFailed(_logger, DeviceId, attempt, e.Message, delay.TotalSeconds);
            }
        }
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Bridge {DeviceId} on {Line}: link lost ({Reason}); not ready, reconnecting")]
    private static partial void LogLinkLost(ILogger logger, string deviceId, string line, string reason);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Bridge {DeviceId} on {Line}: reconnected with a fresh Hello after {Attempts} attempt(s), "
            + "{DownSeconds:F1} s down; ready")]
    private static partial void LogReconnected(
        ILogger logger, string deviceId, string line, int attempts, double downSeconds);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Bridge {DeviceId}: reconnection attempt {Attempt} failed ({Error}); next try after "
            + "{DelaySeconds:F1} s")]
    private static partial void LogReconnectFailed(
        ILogger logger, string deviceId, int attempt, string error, double delaySeconds);
}
