using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Bridge.Emulator;
using Edge.Bridge.Firmware;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Bridge.Tests;

/// <summary>The emulator serving TCP connections on a loopback port, one at a time, until disposed.</summary>
internal sealed class EmulatorServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private EmulatorServer(BridgeEmulator emulator)
    {
        Emulator = emulator;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(ServeAsync);
    }

    public BridgeEmulator Emulator { get; }

    public int Port { get; }

    public static EmulatorServer Start(
        string partId, ulong seed, LineFaults faults, FirmwareSettings? settings = null, double restSeconds = 20e-6)
        => new(new BridgeEmulator(ElectronicSystem.Instance, partId, seed, faults, restSeconds, settings));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            // The firmware loop blocks: a dedicated thread keeps it off the pool the agent's timers run on.
            await Task.Factory.StartNew(
                () => Emulator.Run(client.GetStream(), _stop.Token),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }
    }
}

/// <summary>A pseudo-terminal pair made by socat: the emulator opens one end, the agent the other.</summary>
internal sealed class PtyPair : IDisposable
{
    private readonly Process _process;

    private PtyPair(Process process, string devicePath, string hostPath)
    {
        _process = process;
        DevicePath = devicePath;
        HostPath = hostPath;
    }

    public string DevicePath { get; }

    public string HostPath { get; }

    public static PtyPair? TryStart(string directory)
    {
        var device = System.IO.Path.Combine(directory, "bridge");
        var host = System.IO.Path.Combine(directory, "agent");
        Process process;
        try
        {
            process = Process.Start(
                new ProcessStartInfo("socat", $"pty,raw,echo=0,link={device} pty,raw,echo=0,link={host}")
                {
                    RedirectStandardError = true
                })!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(device) && File.Exists(host)))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(5) || process.HasExited)
            {
                throw new InvalidOperationException(
                    $"socat did not create the pty pair: {process.StandardError.ReadToEnd()}");
            }

            Thread.Sleep(20);
        }

        return new PtyPair(process, device, host);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}

internal sealed class TempPath : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("edge-bridge-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
