using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Bridge.Emulator;
using Edge.Bridge.Firmware;
using Edge.Bridge.Protocol;
using Edge.Domain.Simulation;

namespace Edge.Agent.Tests.Hosting;

/// <summary>
/// The bridge firmware core on a TCP port, playing the layer on the emulator's bench board, with every DAC write
/// recorded per channel. After the host hangs up it keeps polling for a while, as the ESP32 keeps running.
/// </summary>
internal sealed class RecordingBridge : IDisposable, IDacDriver
{
    public const int DefaultSafeCode = 2048;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly BenchBoard _board;
    private readonly int[] _lastCode;
    private readonly Task _serve;
    private readonly CancellationTokenSource _stop = new();
    private int _writes;
    private int _driveWrites;

    public RecordingBridge(IPhysicalSystem system, string deviceId)
    {
        _board = new BenchBoard(system, deviceId, seed: 1);
        _lastCode = new int[_board.Channels];
        _listener.Start();
        _serve = Task.Run(Serve);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Channels => _board.Channels;

    public int Bits => _board.Bits;

    /// <summary>DAC writes of a code other than the channel's last safe value (drive segments).</summary>
    public int DriveWrites => Volatile.Read(ref _driveWrites);

    public int Writes => Volatile.Read(ref _writes);

    public int LastCode(int channel)
    {
        lock (_lastCode)
        {
            return _lastCode[channel];
        }
    }

    /// <summary>Waits until the host has hung up and the firmware has run on past its watchdog.</summary>
    public Task Finished => _serve;

    public void Write(int channel, int code)
    {
        lock (_lastCode)
        {
            _lastCode[channel] = code;
        }

        Interlocked.Increment(ref _writes);
        if (code != DefaultSafeCode)
        {
            Interlocked.Increment(ref _driveWrites);
        }

        _board.Write(channel, code);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task Serve()
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        var stream = client.GetStream();
        var settings = new FirmwareSettings { SafeCode = DefaultSafeCode };
        var firmware = new BridgeFirmware(settings, this, _board, _board, new StreamSink(stream), 1);
        var inbox = new ConcurrentQueue<byte[]>();
        var reader = Task.Run(() =>
        {
            var buffer = new byte[1024];
            try
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    inbox.Enqueue(buffer.AsSpan(0, read).ToArray());
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The host hung up.
            }
        });
        var clock = Stopwatch.StartNew();
        long? hungUpAt = null;
        while (!_stop.IsCancellationRequested)
        {
            while (inbox.TryDequeue(out var chunk))
            {
                firmware.Receive(chunk, 0, chunk.Length, clock.ElapsedMilliseconds);
            }

            try
            {
                firmware.Poll(clock.ElapsedMilliseconds);
            }
            catch (IOException)
            {
                // Replies to a host that is gone are lost; the firmware keeps running.
            }

            if (reader.IsCompleted)
            {
                hungUpAt ??= clock.ElapsedMilliseconds;
                if (clock.ElapsedMilliseconds - hungUpAt > settings.WatchdogTimeoutMs + 300)
                {
                    return;
                }
            }

            await Task.Delay(1);
        }
    }

    private sealed class StreamSink(Stream stream) : IByteSink
    {
        public void Write(byte[] buffer, int offset, int count)
        {
            stream.Write(buffer, offset, count);
            stream.Flush();
        }
    }
}
