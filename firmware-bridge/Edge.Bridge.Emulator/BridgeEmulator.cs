using System.Diagnostics;
using Edge.Bridge.Firmware;
using Edge.Bridge.Protocol;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

namespace Edge.Bridge.Emulator;

/// <summary>
/// One emulated bridge: the firmware core over a <see cref="BenchBoard"/>, talking through a duplex stream (a socket or
/// a serial port) whose line rate, loss and corruption are emulated in both directions. Between captures the circuit
/// rests for a configurable stretch of virtual time, as a real layer rests between requests.
/// </summary>
public sealed class BridgeEmulator
{
    private readonly BenchBoard _board;
    private readonly LineFaults _faults;
    private readonly double _restSeconds;
    private readonly FirmwareSettings _settings;
    private int _sessions;

    /// <summary>Creates the emulator for part <paramref name="deviceId"/> of <paramref name="system"/>.</summary>
    /// <param name="system">The layer's physical system.</param>
    /// <param name="deviceId">The part (fixes its component values).</param>
    /// <param name="seed">Seed of the part.</param>
    /// <param name="faults">Line rate and faults.</param>
    /// <param name="restSeconds">Virtual rest between captures (the layer's settling gap).</param>
    /// <param name="settings">Firmware limits; the ESP32 defaults when null.</param>
    /// <param name="profile">Lab (ideal converters) or field (the ESP32 ADC's non-linearity).</param>
    public BridgeEmulator(
        IPhysicalSystem system,
        string deviceId,
        ulong seed,
        LineFaults faults,
        double restSeconds,
        FirmwareSettings? settings = null,
        DeviceProfile profile = DeviceProfile.Lab)
    {
        _board = new BenchBoard(system, deviceId, seed, profile);
        _faults = faults ?? throw new ArgumentNullException(nameof(faults));
        if (!(restSeconds >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(restSeconds), restSeconds,
                "The rest between captures cannot be negative.");
        }

        _restSeconds = restSeconds;
        _settings = settings ?? new FirmwareSettings { SafeCode = 1 << (BenchBoard.ConverterBits - 1) };
        _settings.BaudRate = faults.BaudRate;
    }

    /// <summary>The firmware instance of the last <see cref="Run"/> (for its counters), or null before.</summary>
    public BridgeFirmware? Firmware { get; private set; }

    /// <summary>Line faults and their counters.</summary>
    public LineFaults Faults => _faults;

    /// <summary>Sessions served so far (one per <see cref="Run"/>: a host connection, or the port opened
    /// again).</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>The first link sequence number of the last session (random per session, fixed by the fault
    /// seed).</summary>
    public ushort LastInitialSequence { get; private set; }

    /// <summary>Why the last session ended (the host left, the port closed, or cancellation).</summary>
    public string? LastSessionEnd { get; private set; }

    /// <summary>
    /// While true the firmware is hung: it neither reads the line nor answers (what arrives is lost, as in a UART FIFO
    /// nobody drains) until it is set false again. A fault for tests and fault benches; any thread may set it.
    /// </summary>
    public bool Hung { get; set; }

    /// <summary>
    /// When set, the firmware is hung (<see cref="Hung"/>) while this file exists (checked every 50 ms).
    /// </summary>
    public string? HangFile { get; init; }

    /// <summary>
    /// Serves <paramref name="stream"/> as a freshly booted bridge until the host goes away or
    /// <paramref name="cancellationToken"/> fires; blocks the calling thread. Never throws for a vanished host: call it
    /// again with the next connection.
    /// </summary>
    public void Run(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var session = Interlocked.Increment(ref _sessions) - 1;
        _faults.StartSession(session);
        LastInitialSequence = (ushort)new Random(_faults.SessionSeed(session, 3)).Next(ushort.MaxValue + 1);
        var clock = Stopwatch.StartNew();
        var inbox = new Inbox();
        var firmware = new BridgeFirmware(
            _settings, _board, _board, _board, new PacedSink(stream, _faults), LastInitialSequence);
        Firmware = firmware;
        using var readerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A blocking reader gets its own thread: parked on the pool it could starve the host's timers.
        var reader = Task.Factory.StartNew(
            () => ReadLoop(stream, inbox, readerStop.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var nextHangCheck = 0L;
        try
        {
            while (!cancellationToken.IsCancellationRequested && !reader.IsCompleted)
            {
                if (HangFile is not null && clock.ElapsedMilliseconds >= nextHangCheck)
                {
                    Hung = File.Exists(HangFile);
                    nextHangCheck = clock.ElapsedMilliseconds + 50;
                }

                if (Hung)
                {
                    // A hung firmware drains nothing: what arrives is lost, as in a UART FIFO nobody reads.
                    while (inbox.TryTake(out _, out _))
                    {
                    }

                    inbox.WaitForData(TimeSpan.FromMilliseconds(1));
                    continue;
                }

                Step(firmware, inbox, clock);
            }

            LastSessionEnd = cancellationToken.IsCancellationRequested ? "stopped" : reader.Result;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException
            or TimeoutException or UnauthorizedAccessException)
        {
            // The host went away or the port closed mid-write (an ack or retransmission can race the close).
            LastSessionEnd = $"writing to the host failed: {e.Message}";
        }

        readerStop.Cancel();
        try
        {
            stream.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Already gone.
        }

        reader.Wait(TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    private void Step(BridgeFirmware firmware, Inbox inbox, Stopwatch clock)
    {
        while (inbox.TryTake(out var chunk, out var length))
        {
            firmware.Receive(chunk, 0, length, clock.ElapsedMilliseconds);
        }

        var before = firmware.CapturesDone;
        firmware.Poll(clock.ElapsedMilliseconds);
        if (firmware.CapturesDone > before)
        {
            // The next capture's lead is part of the rest, so captures start exactly the rest apart.
            var lead = (double)firmware.LastLeadTicks / _board.TicksPerSecond;
            _board.Rest(Math.Max(0, (_restSeconds * (firmware.CapturesDone - before)) - lead));
        }

        inbox.WaitForData(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Receives from the host until it leaves; returns why the line ended.</summary>
    private string ReadLoop(Stream stream, Inbox inbox, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = stream.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    return "the host closed the line";
                }

                Pace(_faults.TransmitTime(read));
                var kept = _faults.Apply(LineDirection.ToDevice, buffer, read);
                inbox.Add(buffer, kept);
            }

            return "stopped";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException
            or InvalidOperationException or TimeoutException or UnauthorizedAccessException)
        {
            return $"reading from the host failed: {e.Message}";
        }
    }

    private static void Pace(TimeSpan time)
    {
        if (time >= TimeSpan.FromMilliseconds(1))
        {
            Thread.Sleep(time);
        }
        else if (time > TimeSpan.Zero)
        {
            var until = Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(10);
            }
        }
    }

    /// <summary>The UART transmitter: line faults, then the line rate, then the stream.</summary>
    private sealed class PacedSink(Stream stream, LineFaults faults) : IByteSink
    {
        private byte[] _scratch = new byte[256];

        public void Write(byte[] buffer, int offset, int count)
        {
            if (_scratch.Length < count)
            {
                _scratch = new byte[count * 2];
            }

            Array.Copy(buffer, offset, _scratch, 0, count);
            var kept = faults.Apply(LineDirection.ToHost, _scratch, count);
            Pace(faults.TransmitTime(count));
            stream.Write(_scratch, 0, kept);
            stream.Flush();
        }
    }

    /// <summary>Hands received chunks from the reader thread to the firmware loop.</summary>
    private sealed class Inbox
    {
        private readonly Queue<byte[]> _chunks = new();
        private readonly SemaphoreSlim _signal = new(0);

        public void Add(byte[] buffer, int count)
        {
            if (count == 0)
            {
                return;
            }

            lock (_chunks)
            {
                _chunks.Enqueue(buffer.AsSpan(0, count).ToArray());
            }

            _signal.Release();
        }

        public bool TryTake(out byte[] chunk, out int length)
        {
            lock (_chunks)
            {
                if (_chunks.TryDequeue(out var next))
                {
                    chunk = next;
                    length = next.Length;
                    return true;
                }
            }

            chunk = [];
            length = 0;
            return false;
        }

        public void WaitForData(TimeSpan timeout) => _signal.Wait(timeout);
    }
}
