using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting.Systemd;

/// <summary>
/// Sends systemd's <c>WATCHDOG=1</c> to <c>$NOTIFY_SOCKET</c> every half <c>WatchdogSec</c> while the service's
/// work loop is alive, as the service's liveness check tells it: null when alive, else why not (a device call stuck
/// on a hung I2C bus, an ingest loop that stopped turning). Withheld pings make systemd restart the service.
/// </summary>
public sealed partial class SystemdWatchdog : BackgroundService
{
    private static readonly byte[] Ping = Encoding.ASCII.GetBytes("WATCHDOG=1");
    private readonly Func<string?> _stuck;
    private readonly SystemdWatchdogSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _withheld;

    /// <summary>Pings <paramref name="settings"/>' socket while <paramref name="stuck"/> returns null.</summary>
    /// <param name="stuck">Null while the work loop is alive, else why it is not (logged once when pings stop).</param>
    /// <param name="settings">Where and how often to ping.</param>
    /// <param name="time">The clock of the ping interval.</param>
    /// <param name="logger">Told when pings start, stop and fail.</param>
    public SystemdWatchdog(
        Func<string?> stuck,
        SystemdWatchdogSettings settings,
        TimeProvider time,
        ILogger<SystemdWatchdog> logger)
    {
        _stuck = stuck ?? throw new ArgumentNullException(nameof(stuck));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Pings sent.</summary>
    public long PingsSent { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = _settings.NotifySocket.StartsWith('@') ? "\0" + _settings.NotifySocket[1..] : _settings.NotifySocket;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var endpoint = new UnixDomainSocketEndPoint(path);
        LogStarted(_logger, _settings.PingInterval.TotalSeconds, _settings.Timeout.TotalSeconds);
        using var timer = new PeriodicTimer(_settings.PingInterval, _time);
        do
        {
            Beat(socket, endpoint);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Beat(Socket socket, UnixDomainSocketEndPoint endpoint)
    {
        if (_stuck() is { } reason)
        {
            if (!_withheld)
            {
                _withheld = true;
                LogWithheld(_logger, reason);
            }

            return;
        }

        _withheld = false;
        try
        {
            socket.SendTo(Ping, endpoint);
            PingsSent++;
        }
        catch (SocketException e)
        {
            LogSendFailed(_logger, _settings.NotifySocket, e.Message);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "systemd watchdog: pinging every {IntervalSeconds:F1} s (timeout {TimeoutSeconds:F1} s) "
            + "while the work loop is alive")]
    private static partial void LogStarted(ILogger logger, double intervalSeconds, double timeoutSeconds);

    [LoggerMessage(
        Level = LogLevel.Critical,
        Message = "systemd watchdog: {Reason}; pings withheld so systemd restarts the service")]
    private static partial void LogWithheld(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd watchdog: cannot notify {Socket}: {Problem}")]
    private static partial void LogSendFailed(ILogger logger, string socket, string problem);
}
