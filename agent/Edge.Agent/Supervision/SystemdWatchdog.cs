using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Supervision;

/// <summary>
/// Sends systemd's <c>WATCHDOG=1</c> to <c>$NOTIFY_SOCKET</c> every half <c>WatchdogSec</c> while the device loop is
/// alive: no device call has been running longer than <see cref="SupervisionOptions.HangSeconds"/>
/// (<see cref="DeviceSupervisor.IsLoopAlive"/>). A call stuck on a hung I2C bus or serial port withholds the pings and
/// systemd restarts the agent; a device the supervisor parked is not a hang — the service still answers (from
/// the twin).
/// </summary>
public sealed partial class SystemdWatchdog : BackgroundService
{
    private static readonly byte[] Ping = Encoding.ASCII.GetBytes("WATCHDOG=1");
    private readonly DeviceSupervisor _supervisor;
    private readonly SystemdWatchdogSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _withheld;

    /// <summary>
    /// Pings <paramref name="settings"/>' socket while <paramref name="supervisor"/>'s device loop is alive.
    /// </summary>
    public SystemdWatchdog(
        DeviceSupervisor supervisor,
        SystemdWatchdogSettings settings,
        TimeProvider time,
        ILogger<SystemdWatchdog> logger)
    {
        _supervisor = supervisor ?? throw new ArgumentNullException(nameof(supervisor));
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
        if (!_supervisor.IsLoopAlive)
        {
            if (!_withheld)
            {
                _withheld = true;
                LogWithheld(_logger, _supervisor.DeviceId, _supervisor.CallRunningFor.TotalSeconds);
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
            + "while the device loop is alive")]
    private static partial void LogStarted(ILogger logger, double intervalSeconds, double timeoutSeconds);

    [LoggerMessage(
        Level = LogLevel.Critical,
        Message = "systemd watchdog: device {DeviceId} has been in one call for {Seconds:F1} s (hung bus or device "
            + "loop); pings withheld so systemd restarts the agent")]
    private static partial void LogWithheld(ILogger logger, string deviceId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd watchdog: cannot notify {Socket}: {Problem}")]
    private static partial void LogSendFailed(ILogger logger, string socket, string problem);
}
