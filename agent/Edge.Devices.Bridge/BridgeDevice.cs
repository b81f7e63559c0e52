using System.Diagnostics;
using System.IO.Ports;
using System.Net.Sockets;
using Edge.Bridge.Protocol;
using Edge.Domain.Devices;
using Edge.Domain.Specs;

namespace Edge.Devices.Bridge;

/// <summary>
/// A physical layer played by the ESP32 bridge: each drive becomes a PlayAndCapture request (segment codes, the layer's
/// sample rate, its bins), the bridge plays and samples it with exact timing and returns the bin means. The link is the
/// framed, acknowledged bridge protocol (firmware-bridge/PROTOCOL.md) over a serial port or, for the emulator, TCP.
/// </summary>
public sealed class BridgeDevice : IPhysicalDevice, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private readonly BridgeDeviceOptions _options;
    private readonly StreamByteSink _sink;
    private readonly ReliableLink _link;
    private readonly Listener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<ushort, PendingCapture> _captures = [];
    private readonly Queue<ushort> _order = new();
    private readonly TaskCompletionSource<HelloAckMessage> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _outstanding;
    private readonly Task _reader;
    private readonly Task _poller;
    private string? _failure;
    private ushort _nextCaptureId;
    private int _samplesPerSegment;
    private int _dacBits;
    private int _adcBits;
    private int _drivesPerRequest = 1;
    private int _restBins;
    private ushort _safeCode;
    private long _bytesRead;
    private long _payloadBytes;
    private long _driveBytes;

    private BridgeDevice(LayerSpec spec, string deviceId, Stream stream, IDisposable? owner, BridgeDeviceOptions options)
    {
        Spec = spec;
        DeviceId = deviceId;
        _stream = stream;
        _owner = owner;
        _options = options;
        _sink = new StreamByteSink(stream);
        _listener = new Listener(this);
        if (options.MaxOutstandingRequests is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxOutstandingRequests, "The bridge queues 1 to 8 requests.");
        }

        _outstanding = new SemaphoreSlim(options.MaxOutstandingRequests);
        _link = new ReliableLink(_sink, _listener, new LinkOptions
        {
            WindowSize = options.WindowSize,
            RetransmitTimeoutMs = (int)options.RetransmitTimeout.TotalMilliseconds,
            RetryLimit = options.RetryLimit,
            InitialSequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1),
        });
        _reader = Task.Run(ReadLoopAsync);
        _poller = Task.Run(PollLoopAsync);
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <inheritdoc />
    public string DeviceId { get; }

    /// <summary>What the bridge reported in HelloAck.</summary>
    public HelloAckMessage? BridgeInfo { get; private set; }

    /// <summary>Bytes sent and received on the line.</summary>
    public long LineBytes => _sink.BytesWritten + Interlocked.Read(ref _bytesRead);

    /// <summary>Waveform payload carried: segment codes sent plus captured values received, in bytes.</summary>
    public long PayloadBytes => Interlocked.Read(ref _payloadBytes);

    /// <summary>The drives' own share of <see cref="PayloadBytes"/>: their segment codes and bins, rest segments excluded.</summary>
    public long DriveBytes => Interlocked.Read(ref _driveBytes);

    /// <summary>Drives packed per request after fitting the negotiated payload and buffer.</summary>
    public int DrivesPerRequest => _drivesPerRequest;

    /// <summary>Retransmissions of the link so far.</summary>
    public int Retransmissions
    {
        get
        {
            lock (_gate)
            {
                return _link.Retransmissions;
            }
        }
    }

    /// <summary>Opens a serial port (the ESP32's UART, or a pty made by socat) and says Hello.</summary>
    public static async Task<BridgeDevice> OpenSerialAsync(LayerSpec spec, string deviceId, string portName, int baudRate, BridgeDeviceOptions? options = null, CancellationToken cancellationToken = default)
    {
        var port = new SerialPort(portName, baudRate) { ReadTimeout = SerialPort.InfiniteTimeout, WriteTimeout = 2000 };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new IOException($"Cannot open the bridge's serial port '{portName}' at {baudRate} baud: {e.Message}", e);
        }

        return await ConnectAsync(spec, deviceId, port.BaseStream, port, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects to a bridge emulator listening on TCP and says Hello.</summary>
    public static async Task<BridgeDevice> OpenTcpAsync(LayerSpec spec, string deviceId, string host, int port, BridgeDeviceOptions? options = null, CancellationToken cancellationToken = default)
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

        return await ConnectAsync(spec, deviceId, client.GetStream(), client, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Says Hello over an open duplex stream, checks the bridge can play <paramref name="spec"/>, and sets its safe code.</summary>
    /// <exception cref="IOException">The bridge did not answer, refused, or cannot play the layer.</exception>
    public static async Task<BridgeDevice> ConnectAsync(LayerSpec spec, string deviceId, Stream stream, IDisposable? owner = null, BridgeDeviceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentNullException.ThrowIfNull(stream);
        var device = new BridgeDevice(spec.Validate(), deviceId, stream, owner, options ?? new BridgeDeviceOptions());
        try
        {
            await device.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return device;
        }
        catch
        {
            await device.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
    {
        var count = DeviceBatch.Count(Spec, drives.Length, responses.Length);
        var requests = (count + _drivesPerRequest - 1) / _drivesPerRequest;
        var captures = new PendingCapture[requests];
        var driveSeconds = Spec.DriveLength * Spec.Dac.SegmentSeconds;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(count * driveSeconds) + _options.CaptureSlack + (requests * _options.RetransmitTimeout));
        try
        {
            for (var r = 0; r < requests; r++)
            {
                var first = r * _drivesPerRequest;
                var packed = Math.Min(_drivesPerRequest, count - first);
                captures[r] = await SendCaptureAsync(drives.Slice(first * Spec.DriveLength, packed * Spec.DriveLength), packed, timeout.Token).ConfigureAwait(false);
            }

            for (var r = 0; r < requests; r++)
            {
                var values = await captures[r].Result.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
                var first = r * _drivesPerRequest;
                for (var d = 0; d < captures[r].Drives; d++)
                {
                    // Each packed drive's bins, then the rest bins that follow it (discarded).
                    var bins = values.AsSpan(d * (Spec.OutputSize + _restBins), Spec.OutputSize);
                    ToResponses(bins, responses.Span.Slice((first + d) * Spec.OutputSize, Spec.OutputSize));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Bridge for layer '{Spec.Name}': {count} captures did not all complete in time (link: {Describe()}).");
        }
        finally
        {
            lock (_gate)
            {
                foreach (var capture in captures)
                {
                    if (capture is not null)
                    {
                        _captures.Remove(capture.Id);
                    }
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _owner?.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_reader, _poller).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Closing the stream ends the loops this way.
        }

        _stop.Dispose();
        _outstanding.Dispose();
    }

    private long NowMs => _clock.ElapsedMilliseconds;

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        // A leading delimiter flushes whatever half frame the bridge holds from before.
        lock (_gate)
        {
            _sink.Write([0], 0, 1);
        }

        await SendAsync(new HelloMessage(ProtocolVersion.Minimum, ProtocolVersion.Current, (ushort)_options.MaxPayload, global::Edge.Bridge.Protocol.Capabilities.BinnedCapture), cancellationToken).ConfigureAwait(false);
        HelloAckMessage ack;
        try
        {
            ack = await _hello.Task.WaitAsync(_options.HelloTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new IOException($"The bridge did not answer Hello within {_options.HelloTimeout.TotalSeconds:0.#} s (link: {Describe()}). Is it powered, on this port, at this baud rate?");
        }

        BridgeInfo = ack;
        CheckLayer(ack);
        var payload = Math.Min(_options.MaxPayload, ack.MaxPayload);
        while (true)
        {
            lock (_gate)
            {
                ThrowIfFailed();
                if (_link.InFlight == 0)
                {
                    _link.SetMaxPayload(payload);
                    break;
                }
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        _safeCode = DacCode(Math.Clamp(0.0, Spec.Dac.Min, Spec.Dac.Max));
        await SendAsync(new SetSafeMessage((byte)_options.DriveChannel, _safeCode), cancellationToken).ConfigureAwait(false);
        PlanPacking(payload);
    }

    private void CheckLayer(HelloAckMessage ack)
    {
        var sampleRate = Spec.Adc.SampleRateHz;
        var perSegment = Spec.Dac.SegmentSeconds * sampleRate;
        var problem =
            _options.DriveChannel >= ack.DacChannels || _options.CaptureChannel >= ack.AdcChannels ? $"it has {ack.DacChannels} DAC and {ack.AdcChannels} ADC channels; asked for DAC {_options.DriveChannel} and ADC {_options.CaptureChannel}"
            : sampleRate != Math.Round(sampleRate) || Math.Abs(perSegment - Math.Round(perSegment)) > 1e-9 || perSegment < 1 ? $"the layer's {sampleRate} S/s does not give a whole number of samples per {Spec.Dac.SegmentSeconds * 1e6:G4} µs segment"
            : sampleRate > ack.MaxSampleRateHz ? $"the layer samples at {sampleRate} S/s, the bridge at most {ack.MaxSampleRateHz}"
            : Spec.DriveLength * perSegment > ack.BufferSamples ? $"a drive is {Spec.DriveLength * perSegment} samples, the bridge buffers {ack.BufferSamples}"
            : (Spec.DriveLength * (long)Math.Round(perSegment)) % Spec.Adc.Bins != 0 ? $"{Spec.Adc.Bins} bins do not divide the drive's samples"
            : null;
        if (problem is not null)
        {
            throw new IOException($"The bridge cannot play layer '{Spec.Name}': {problem}.");
        }

        _samplesPerSegment = (int)Math.Round(perSegment);
        _dacBits = ack.DacBits;
        _adcBits = ack.AdcBits;
    }

    private void PlanPacking(int payload)
    {
        var samplesPerBin = Spec.DriveLength * _samplesPerSegment / Spec.Adc.Bins;
        var restSamples = _options.RestSegments * _samplesPerSegment;
        if (_options.DrivesPerRequest < 1 || _options.RestSegments < 0 || restSamples % samplesPerBin != 0)
        {
            throw new IOException($"Bridge packing for layer '{Spec.Name}': {_options.DrivesPerRequest} drives per request with {_options.RestSegments} rest segments is not possible; rest segments must fill whole bins of {samplesPerBin} samples.");
        }

        _restBins = restSamples / samplesPerBin;
        var segmentsFor = (int k) => (k * Spec.DriveLength) + ((k - 1) * _options.RestSegments);
        var packed = _options.DrivesPerRequest;

        // As many as fit the negotiated payload and the bridge's buffer.
        while (packed > 1 && ((PlayAndCaptureMessage.HeaderLength + (2 * segmentsFor(packed)) > payload) || (long)segmentsFor(packed) * _samplesPerSegment > BridgeInfo!.BufferSamples))
        {
            packed--;
        }

        _drivesPerRequest = packed;
    }

    private async Task<PendingCapture> SendCaptureAsync(ReadOnlyMemory<float> drives, int packed, CancellationToken cancellationToken)
    {
        var codes = new ushort[(packed * Spec.DriveLength) + ((packed - 1) * _options.RestSegments)];
        var position = 0;
        for (var d = 0; d < packed; d++)
        {
            if (d > 0)
            {
                codes.AsSpan(position, _options.RestSegments).Fill(_safeCode);
                position += _options.RestSegments;
            }

            var drive = drives.Span.Slice(d * Spec.DriveLength, Spec.DriveLength);
            for (var s = 0; s < drive.Length; s++)
            {
                codes[position++] = DacCode(drive[s]);
            }
        }

        var binCount = (packed * Spec.OutputSize) + ((packed - 1) * _restBins);

        // Application-level flow control: never more requests outstanding than the bridge queues.
        await _outstanding.WaitAsync(cancellationToken).ConfigureAwait(false);
        PendingCapture capture;
        lock (_gate)
        {
            ThrowIfFailed();
            capture = new PendingCapture(_nextCaptureId++, binCount, packed, _outstanding);
            _captures[capture.Id] = capture;
            _order.Enqueue(capture.Id);
        }

        var request = new PlayAndCaptureMessage(capture.Id, (byte)_options.DriveChannel, (byte)_options.CaptureChannel, (uint)Spec.Adc.SampleRateHz, (ushort)_samplesPerSegment, (ushort)binCount, codes);
        await SendAsync(request, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _payloadBytes, 2 * codes.Length);
        Interlocked.Add(ref _driveBytes, 2 * packed * (Spec.DriveLength + Spec.OutputSize));
        return capture;
    }

    private async Task SendAsync(Message message, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                ThrowIfFailed();
                if (_link.TrySend(message, NowMs))
                {
                    return;
                }
            }

            // The window is full: acks free it within a round trip.
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private ushort DacCode(double value) => (ushort)Quantiser.Code(value, Spec.Dac.Min, Spec.Dac.Max, _dacBits);

    private void ToResponses(ReadOnlySpan<ushort> binMeans, Span<float> response)
    {
        // Bin means arrive left-justified to 16 bits: the ADC code with extra fractional bits.
        var scale = 1.0 / (1 << (16 - _adcBits)) / ((1 << _adcBits) - 1);
        var span = Spec.Adc.Max - Spec.Adc.Min;
        for (var b = 0; b < response.Length; b++)
        {
            response[b] = (float)(Spec.Adc.Min + (binMeans[b] * scale * span));
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                Fail(_stop.IsCancellationRequested ? "the bridge connection was closed" : $"reading from the bridge failed: {e.Message}");
                return;
            }

            if (read == 0)
            {
                Fail("the bridge closed the connection");
                return;
            }

            Interlocked.Add(ref _bytesRead, read);
            lock (_gate)
            {
                if (!_link.HasFailed)
                {
                    _link.Receive(buffer, 0, read, NowMs);
                }
            }
        }
    }

    private async Task PollLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    if (!_link.HasFailed)
                    {
                        _link.Poll(NowMs);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        catch (IOException e)
        {
            Fail($"writing to the bridge failed: {e.Message}");
        }
    }

    private void Fail(string reason)
    {
        lock (_gate)
        {
            _failure ??= reason;
            var error = new IOException($"Bridge link for layer '{Spec.Name}' failed: {_failure}");
            _hello.TrySetException(error);
            foreach (var capture in _captures.Values)
            {
                capture.Fail(error);
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new IOException($"Bridge link for layer '{Spec.Name}' failed: {_failure}");
        }
    }

    private string Describe() => $"{_link.FramesSent} frames sent, {_link.Retransmissions} retransmitted, {_link.CrcFailures} CRC failures";

    private void OnMessage(Message message)
    {
        switch (message)
        {
            case HelloAckMessage ack:
                _hello.TrySetResult(ack);
                break;
            case CaptureResultMessage result when _captures.TryGetValue(result.CaptureId, out var capture):
                for (var i = 0; i < result.ValueCount; i++)
                {
                    capture.Values[result.FirstIndex + i] = result.GetValue(i);
                }

                Interlocked.Add(ref _payloadBytes, 2 * result.ValueCount);
                capture.Received += result.ValueCount;
                if (capture.Received >= result.TotalValues)
                {
                    Dequeue(capture.Id);
                    capture.Complete();
                }

                break;
            case ErrorMessage error:
                // The bridge answers requests in order: an error belongs to the oldest one still open.
                var problem = new IOException($"The bridge refused a request ({error.Code}): {error.Text}");
                if (!_hello.Task.IsCompleted)
                {
                    _hello.TrySetException(problem);
                }
                else if (_order.TryDequeue(out var id) && _captures.TryGetValue(id, out var failed))
                {
                    failed.Fail(problem);
                }

                break;
        }
    }

    private void Dequeue(ushort id)
    {
        while (_order.TryPeek(out var head))
        {
            _order.Dequeue();
            if (head == id)
            {
                return;
            }
        }
    }

    private sealed class PendingCapture(ushort id, int values, int drives, SemaphoreSlim outstanding)
    {
        private int _settled;

        public ushort Id { get; } = id;

        public int Drives { get; } = drives;

        public ushort[] Values { get; } = new ushort[values];

        public int Received { get; set; }

        public TaskCompletionSource<ushort[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete()
        {
            if (Interlocked.Exchange(ref _settled, 1) == 0)
            {
                outstanding.Release();
                Result.TrySetResult(Values);
            }
        }

        public void Fail(Exception error)
        {
            if (Interlocked.Exchange(ref _settled, 1) == 0)
            {
                outstanding.Release();
                Result.TrySetException(error);
            }
        }
    }

    private sealed class Listener(BridgeDevice device) : ILinkListener
    {
        public void OnMessage(Message message) => device.OnMessage(message);

        public void OnLinkFailed(string reason)
        {
            // Called under the gate from Receive or Poll; Fail re-enters the same lock, which Lock allows.
            device.Fail(reason);
        }
    }
}
