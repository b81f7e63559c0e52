using System.Net;
using System.Net.Sockets;

namespace Edge.Bridge.Tests;

/// <summary>
/// A TCP relay between the agent and the emulator that can pull the cable (close the current connection on both sides)
/// or hang the bridge (stop relaying the current connection while keeping it open). New connections relay normally.
/// </summary>
internal sealed class LineProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private Pair? _current;

    public LineProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public int Connections { get; private set; }

    /// <summary>Closes the current connection on both sides, as pulling a USB-serial adapter does.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _current?.Close();
        }
    }

    /// <summary>Stops relaying the current connection in both directions without closing it, as a hung
    /// firmware.</summary>
    public void Freeze()
    {
        lock (_gate)
        {
            _current?.Freeze();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
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

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var agent = await _listener.AcceptTcpClientAsync(_stop.Token);
            var bridge = new TcpClient { NoDelay = true };
            await bridge.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            var pair = new Pair(agent, bridge);
            lock (_gate)
            {
                _current = pair;
                Connections++;
            }

            pair.Start();
        }
    }

    private sealed class Pair(TcpClient agent, TcpClient bridge)
    {
        private volatile bool _frozen;

        public void Start()
        {
            _ = Task.Run(() => PumpAsync(agent.GetStream(), bridge.GetStream()));
            _ = Task.Run(() => PumpAsync(bridge.GetStream(), agent.GetStream()));
        }

        public void Freeze() => _frozen = true;

        public void Close()
        {
            agent.Dispose();
            bridge.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    if (!_frozen)
                    {
                        await to.WriteAsync(buffer.AsMemory(0, read));
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // One side went away.
            }

            Close();
        }
    }
}
