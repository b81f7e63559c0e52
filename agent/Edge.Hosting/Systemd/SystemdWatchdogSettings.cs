using System.Globalization;

namespace Edge.Hosting.Systemd;

/// <summary>
/// What systemd tells a service with <c>WatchdogSec=</c>: where to send notifications (<c>NOTIFY_SOCKET</c>), how
/// often it must hear <c>WATCHDOG=1</c> (<c>WATCHDOG_USEC</c>), and which process it watches (<c>WATCHDOG_PID</c>).
/// </summary>
/// <param name="NotifySocket">The notification socket's path (a leading <c>@</c> names an abstract socket).</param>
/// <param name="Timeout">systemd restarts the service when no ping arrives within this time.</param>
public sealed record SystemdWatchdogSettings(string NotifySocket, TimeSpan Timeout)
{
    /// <summary>Pings go out twice per timeout, as systemd recommends.</summary>
    public TimeSpan PingInterval => Timeout / 2;

    /// <summary>
    /// The settings systemd passed in <paramref name="environment"/> (the process environment when null), or null when
    /// the watchdog is off, the values are unusable, or it watches another process.
    /// </summary>
    public static SystemdWatchdogSettings? FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var socket = environment("NOTIFY_SOCKET");
        if (string.IsNullOrWhiteSpace(socket)
            || !long.TryParse(
                environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec)
            || usec <= 0)
        {
            return null;
        }

        var pid = environment("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid)
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watched)
                || watched != Environment.ProcessId))
        {
            return null;
        }

        return new SystemdWatchdogSettings(socket, TimeSpan.FromTicks(usec * 10));
    }
}
