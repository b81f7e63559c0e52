using System.Net.Sockets;
using System.Text;
using Edge.Agent.Supervision;
using Edge.Agent.Tests.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Specs;
using Edge.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Supervision;

/// <summary>
/// The watchdog pings a fake systemd notify socket (a Unix datagram socket of the test's own) while the device loop is
/// alive, withholds them while a device call hangs, and keeps pinging for a device the supervisor has parked.
/// </summary>
public sealed class SystemdWatchdogTests
{
    [Fact]
    public async Task Pings_stop_while_a_device_call_hangs_and_resume_when_it_returns()
    {
        using var folder = new TempDirectory();
        using var systemd = FakeNotifySocket(folder.File("notify"));
        var device = new HangingDevice(EmulatedLayer.System.Spec);
        await using var supervisor = new DeviceSupervisor(
            device, new SupervisionOptions { HangSeconds = 1 }, TimeProvider.System, Logger);
        using var watchdog = new SystemdWatchdog(
            supervisor.Hang, Settings(folder, 200), TimeProvider.System, NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));
        var hung = supervisor.ForwardAsync(
            new float[device.Spec.DriveLength],
            new float[device.Spec.OutputSize],
            TestContext.Current.CancellationToken).AsTask();
        await Poll.UntilAsync(() => !supervisor.IsLoopAlive, "the call has run past HangSeconds");
        Drain(systemd);
        var before = watchdog.PingsSent;
        await Task.Delay(600, TestContext.Current.CancellationToken);
        Assert.Equal(before, watchdog.PingsSent);
        Assert.Equal(0, systemd.Available);

        device.Release();
        await hung;
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));
        await watchdog.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_parked_device_keeps_the_pings_going()
    {
        using var folder = new TempDirectory();
        using var systemd = FakeNotifySocket(folder.File("notify"));
        var layer = EmulatedLayer.OnI2c("watchdog-parked");
        await using var supervisor = new DeviceSupervisor(
            layer.Device,
            new SupervisionOptions { FirstProbeMilliseconds = 60_000, MaxProbeMilliseconds = 60_000 },
            TimeProvider.System,
            Logger);
        layer.I2cDac!.Unresponsive = true;
        await Assert.ThrowsAsync<DeviceParkedException>(
            () => supervisor.ForwardAsync(
                EmulatedLayer.Drive(1),
                new float[layer.Device.Spec.OutputSize],
                TestContext.Current.CancellationToken).AsTask());
        using var watchdog = new SystemdWatchdog(
            supervisor.Hang, Settings(folder, 100), TimeProvider.System, NullLogger<SystemdWatchdog>.Instance);

        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => watchdog.PingsSent >= 3, "three pings while the device is parked");
        await watchdog.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(supervisor.IsParked);
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public void Settings_come_from_systemd_environment_and_are_off_without_it_or_for_another_process()
    {
        var settings = SystemdWatchdogSettings.FromEnvironment(name => name switch
        {
            "NOTIFY_SOCKET" => "@/org/freedesktop/systemd1/notify",
            "WATCHDOG_USEC" => "30000000",
            "WATCHDOG_PID" => Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        });

        Assert.NotNull(settings);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.PingInterval);
        Assert.Null(SystemdWatchdogSettings.FromEnvironment(_ => null));
        Assert.Null(SystemdWatchdogSettings.FromEnvironment(name => name == "NOTIFY_SOCKET" ? "/run/notify" : null));
        Assert.Null(SystemdWatchdogSettings.FromEnvironment(name => name switch
        {
            "NOTIFY_SOCKET" => "/run/notify",
            "WATCHDOG_USEC" => "30000000",
            "WATCHDOG_PID" => "1",
            _ => null,
        }));
    }

    [Fact]
    public void The_shipped_unit_asks_for_watchdog_pings()
    {
        var unit = File.ReadAllLines(Path.Combine(
            Edge.Domain.Data.DataPaths.FindRepositoryRoot()!, "agent", "Edge.Agent", "deploy", "edge-agent.service"));

        Assert.Contains("Type=notify", unit);
        Assert.Contains(unit, line => line.StartsWith("WatchdogSec=", StringComparison.Ordinal));
    }

    private static NullLogger<DeviceSupervisor> Logger => NullLogger<DeviceSupervisor>.Instance;

    private static SystemdWatchdogSettings Settings(TempDirectory folder, int timeoutMs)
        => new(folder.File("notify"), TimeSpan.FromMilliseconds(timeoutMs));

    private static Socket FakeNotifySocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[64];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, received);
    }

    private static void Drain(Socket socket)
    {
        var buffer = new byte[64];
        while (socket.Available > 0)
        {
            socket.Receive(buffer);
        }
    }

    /// <summary>A device whose calls block until released: a hung I2C bus.</summary>
    private sealed class HangingDevice(LayerSpec spec) : IPhysicalDevice
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LayerSpec Spec => spec;

        public string DeviceId => "hanging";

        public void Release() => _release.TrySetResult();

        public async ValueTask ForwardAsync(
            ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        {
            await _release.Task.WaitAsync(cancellationToken);
            for (var i = 0; i < responses.Length; i++)
            {
                responses.Span[i] = i;
            }
        }
    }
}
