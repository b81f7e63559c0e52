using System.Diagnostics;
using Edge.Bridge.Protocol;
using Edge.Domain.Devices;
using Edge.Domain.Specs;

namespace Edge.Devices.Bridge;

/// <summary>
/// One connection to the bridge, from Hello to failure: the reliable link over the line, its read and poll loops,
/// heartbeats and the silence watchdog, the PlayAndCapture requests in flight and the results coming back. A session
/// never recovers: when its link fails it fails every open request, reports once through its callback, and the
/// <see cref="BridgeDevice"/> opens a new session with a fresh Hello.
/// </summary>
internal sealed class BridgeSession : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly BridgeConnection _connection;
    private readonly LayerSpec _spec;
    private readonly BridgeDeviceOptions _options;
    private readonly BridgeCounters _counters;
    private readonly LinkTuning _tuning;
    private readonly Action<BridgeSession, string> _onFailed;
    private readonly StreamByteSink _sink;
    private readonly ReliableLink _link;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<ushort, PendingCapture> _captures = [];
    private readonly Dictionary<ushort, ushort> _captureBySequence = [];
    private readonly TaskCompletionSource<HelloAckMessage> _hello =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _outstanding;
    private Task _reader = Task.CompletedTask;
    private Task _poller = Task.CompletedTask;
    private string? _failure;
    private int _retransmissionsCounted;
    private int _lossesObserved;
    private long _lineBytesObserved;
    private long _heardObserved = -1;
    private int _payload;
    private int _disposed;
    private ushort _nextCaptureId;
    private int _samplesPerSegment;
    private int _dacBits;
    private int _adcBits;
    private int _restBins;
    private ushort _safeCode;

    private BridgeSession(
        LayerSpec spec,
        BridgeConnection connection,
        BridgeDeviceOptions options,
        BridgeCounters counters,
        LinkTuning tuning,
        Action<BridgeSession, string> onFailed)
    {
        _spec = spec;
        _tuning = tuning;
        _lineBytesObserved = counters.LineBytes;
        _connection = connection;
        _options = options;
        _counters = counters;
        _onFailed = onFailed;
        _sink = new StreamByteSink(connection.Stream, counters);
        _outstanding = new SemaphoreSlim(options.MaxOutstandingRequests);
        _link = new ReliableLink(_sink, new Listener(this), new LinkOptions
        {
            WindowSize = options.WindowSize,
            RetransmitTimeoutMs = (int)options.RetransmitTimeout.TotalMilliseconds,
            MinRetransmitTimeoutMs = (int)options.MinRetransmitTimeout.TotalMilliseconds,
            MaxRetransmitTimeoutMs = (int)options.MaxRetransmitTimeout.TotalMilliseconds,
            BaudRate = options.BaudRate,
            RetryLimit = options.RetryLimit,
            HeartbeatIntervalMs = (int)options.HeartbeatInterval.TotalMilliseconds,
            InitialSequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1),
        });
    }

    /// <summary>What the bridge reported in HelloAck.</summary>
    public HelloAckMessage? BridgeInfo { get; private set; }

    /// <summary>
    /// Drives packed per request in the last forward, after fitting the payload the line's loss allows (see
    /// <see cref="LinkTuning"/>) and the bridge's buffer.
    /// </summary>
    public int DrivesPerRequest { get; private set; } = 1;

    /// <summary>Why the session ended, or null while it is up.</summary>
    public string? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    /// <summary>The last device error no open request was waiting for, or null.</summary>
    public string? LastDeviceError { get; private set; }

    /// <summary>Where the line leads.</summary>
    public string Description => _connection.Description;

    /// <summary>Retransmissions of this session's link.</summary>
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

    /// <summary>Link timing now: smoothed round trip, its variation and the retransmission timeout, in ms.</summary>
    public (int SmoothedMs, int VariationMs, int TimeoutMs) RoundTrip
    {
        get
        {
            lock (_gate)
            {
                return (_link.SmoothedRoundTripMs, _link.RoundTripVariationMs, _link.RetransmitTimeoutMs);
            }
        }
    }

    /// <summary>What the link tuned itself to: the request payload, the retry limit, the estimated loss per byte.
    /// </summary>
    public (int RequestPayload, int RetryLimit, double LossPerByte) Tuning
    {
        get
        {
            lock (_gate)
            {
                return (_tuning.RequestPayload(_payload), _link.RetryLimit, _tuning.LossPerByte);
            }
        }
    }

    private long NowMs => _clock.ElapsedMilliseconds;

    /// <summary>
    /// Says Hello on <paramref name="connection"/>, checks the bridge can play the layer, sets its safe code.
    /// </summary>
    /// <exception cref="IOException">The bridge did not answer, refused, or cannot play the layer.</exception>
    public static async Task<BridgeSession> OpenAsync(
        LayerSpec spec,
        BridgeConnection connection,
        BridgeDeviceOptions options,
        BridgeCounters counters,
        LinkTuning tuning,
        Action<BridgeSession, string> onFailed,
        CancellationToken cancellationToken)
    {
        var session = new BridgeSession(spec, connection, options, counters, tuning, onFailed);
        session._reader = Task.Run(session.ReadLoopAsync, CancellationToken.None);
        session._poller = Task.Run(session.PollLoopAsync, CancellationToken.None);
        try
        {
            await session.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Plays the drives as PlayAndCapture requests and writes the bin means as responses.</summary>
    public async ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken)
    {
        var count = DeviceBatch.Count(_spec, drives.Length, responses.Length);
        var requestPayload = _tuning.RequestPayload(_payload);
        var estimate = (count + PackFor(requestPayload) - 1) / PackFor(requestPayload);
        var captures = new List<PendingCapture>(estimate);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Budget(count, estimate, _tuning.ExpectedTransmissions(requestPayload)));
        try
        {
            // Each request is packed for the line as measured when it leaves: a clean line lets requests grow to the
            // options' packing as bytes pass, a lossy one keeps them small enough to arrive (LinkTuning).
            for (var first = 0; first < count;)
            {
                DrivesPerRequest = PackFor(_tuning.RequestPayload(_payload));
                var packed = Math.Min(DrivesPerRequest, count - first);
                var slice = drives.Slice(first * _spec.DriveLength, packed * _spec.DriveLength);
                var capture = await SendCaptureAsync(slice, packed, timeout.Token).ConfigureAwait(false);
                capture.FirstDrive = first;
                captures.Add(capture);
                first += packed;
            }

            foreach (var capture in captures)
            {
                var values = await capture.Result.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
                for (var d = 0; d < capture.Drives; d++)
                {
                    // Each packed drive's bins, then the rest bins that follow it (discarded).
                    var bins = values.AsSpan(d * (_spec.OutputSize + _restBins), _spec.OutputSize);
                    var at = (capture.FirstDrive + d) * _spec.OutputSize;
                    ToResponses(bins, responses.Span.Slice(at, _spec.OutputSize));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Bridge for layer '{_spec.Name}': {count} captures did not all complete in time "
                + $"(link: {Describe()}).");
        }
        finally
        {
            lock (_gate)
            {
                foreach (var capture in captures)
                {
                    // A capture given up (timeout, cancellation) frees its slot of the bridge's queue here.
                    capture.Fail(new OperationCanceledException("the forward was abandoned"));
                    _captures.Remove(capture.Id);
                    _captureBySequence.Remove(capture.Sequence);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // The device and its reconnection may both close a failed session.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Fail("the session was closed");
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _connection.Stream.DisposeAsync().ConfigureAwait(false);
            _connection.Owner?.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException
            or UnauthorizedAccessException)
        {
            // The line is already gone (unplugged); there is nothing left to close.
        }

        await Task.WhenAll(_reader, _poller).ConfigureAwait(false);
        _stop.Dispose();
    }

    private TimeSpan Budget(int drives, int requests, double transmissions)
    {
        // Drive time, the line's airtime for requests and results (with room for repeats, as many as the line's
        // measured loss makes likely), a retransmission timeout per repeat, and the slack.
        var driveSeconds = drives * _spec.DriveLength * _spec.Dac.SegmentSeconds;
        var lineBytes = (drives * ((2 * _spec.DriveLength) + (2 * _spec.OutputSize))) + (requests * 80.0);
        var lineSeconds = _options.BaudRate > 0 ? 4 * transmissions * lineBytes * 10 / _options.BaudRate : 0;
        return TimeSpan.FromSeconds(driveSeconds + lineSeconds) + _options.CaptureSlack
            + (requests * transmissions * _options.RetransmitTimeout);
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        // A leading delimiter flushes whatever half frame the bridge holds from before.
        lock (_gate)
        {
            _sink.Write([0], 0, 1);
        }

        var hello = new HelloMessage(
            ProtocolVersion.Minimum,
            ProtocolVersion.Current,
            (ushort)_options.MaxPayload,
            global::Edge.Bridge.Protocol.Capabilities.BinnedCapture
                | global::Edge.Bridge.Protocol.Capabilities.Heartbeat);
        await SendAsync(hello, cancellationToken).ConfigureAwait(false);
        HelloAckMessage ack;
        try
        {
            ack = await _hello.Task.WaitAsync(_options.HelloTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new IOException(
                $"The bridge did not answer Hello within {_options.HelloTimeout.TotalSeconds:0.#} s "
                + $"(link: {Describe()}). Is it powered, on this port, at this baud rate?");
        }

        BridgeInfo = ack;
        CheckLayer(ack);
        var payload = Math.Min(_options.MaxPayload, ack.MaxPayload);
        _payload = payload;
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

        _safeCode = DacCode(Math.Clamp(0.0, _spec.Dac.Min, _spec.Dac.Max));
        await SendAsync(new SetSafeMessage((byte)_options.DriveChannel, _safeCode), cancellationToken)
            .ConfigureAwait(false);
        PlanPacking();
    }

    private void CheckLayer(HelloAckMessage ack)
    {
        var sampleRate = _spec.Adc.SampleRateHz;
        var perSegment = _spec.Dac.SegmentSeconds * sampleRate;
        var problem =
            _options.DriveChannel >= ack.DacChannels || _options.CaptureChannel >= ack.AdcChannels
                ? $"it has {ack.DacChannels} DAC and {ack.AdcChannels} ADC channels; asked for DAC "
                    + $"{_options.DriveChannel} and ADC {_options.CaptureChannel}"
            : sampleRate != Math.Round(sampleRate) || Math.Abs(perSegment - Math.Round(perSegment)) > 1e-9
                || perSegment < 1
                ? $"the layer's {sampleRate} S/s does not give a whole number of samples per "
                    + $"{_spec.Dac.SegmentSeconds * 1e6:G4} µs segment"
            : sampleRate > ack.MaxSampleRateHz
                ? $"the layer samples at {sampleRate} S/s, the bridge at most {ack.MaxSampleRateHz}"
            : _spec.DriveLength * perSegment > ack.BufferSamples
                ? $"a drive is {_spec.DriveLength * perSegment} samples, the bridge buffers {ack.BufferSamples}"
            : (_spec.DriveLength * (long)Math.Round(perSegment)) % _spec.Adc.Bins != 0
                ? $"{_spec.Adc.Bins} bins do not divide the drive's samples"
            : null;
        if (problem is not null)
        {
            throw new IOException($"The bridge cannot play layer '{_spec.Name}': {problem}.");
        }

        _samplesPerSegment = (int)Math.Round(perSegment);
        _dacBits = ack.DacBits;
        _adcBits = ack.AdcBits;
    }

    private void PlanPacking()
    {
        var samplesPerBin = _spec.DriveLength * _samplesPerSegment / _spec.Adc.Bins;
        var restSamples = _options.RestSegments * _samplesPerSegment;
        if (_options.DrivesPerRequest < 1 || _options.RestSegments < 0 || restSamples % samplesPerBin != 0)
        {
            throw new IOException(
                $"Bridge packing for layer '{_spec.Name}': {_options.DrivesPerRequest} drives per request with "
                + $"{_options.RestSegments} rest segments is not possible; rest segments must fill whole bins of "
                + $"{samplesPerBin} samples.");
        }

        _restBins = restSamples / samplesPerBin;
        DrivesPerRequest = PackFor(_tuning.RequestPayload(_payload));
    }

    /// <summary>As many drives as the options ask for that fit <paramref name="payload"/> and the bridge's buffer.
    /// </summary>
    private int PackFor(int payload)
    {
        var packed = _options.DrivesPerRequest;
        while (packed > 1
            && ((PlayAndCaptureMessage.HeaderLength + (2 * SegmentsFor(packed)) > payload)
                || (long)SegmentsFor(packed) * _samplesPerSegment > BridgeInfo!.BufferSamples))
        {
            packed--;
        }

        return packed;
    }

    private int SegmentsFor(int drives) => (drives * _spec.DriveLength) + ((drives - 1) * _options.RestSegments);

    private async Task<PendingCapture> SendCaptureAsync(
        ReadOnlyMemory<float> drives, int packed, CancellationToken cancellationToken)
    {
        var codes = new ushort[(packed * _spec.DriveLength) + ((packed - 1) * _options.RestSegments)];
        var position = 0;
        for (var d = 0; d < packed; d++)
        {
            if (d > 0)
            {
                codes.AsSpan(position, _options.RestSegments).Fill(_safeCode);
                position += _options.RestSegments;
            }

            var drive = drives.Span.Slice(d * _spec.DriveLength, _spec.DriveLength);
            for (var s = 0; s < drive.Length; s++)
            {
                codes[position++] = DacCode(drive[s]);
            }
        }

        var binCount = (packed * _spec.OutputSize) + ((packed - 1) * _restBins);

        // Application-level flow control: never more requests outstanding than the bridge queues.
        await _outstanding.WaitAsync(cancellationToken).ConfigureAwait(false);
        var capture = new PendingCapture(binCount, packed, _outstanding);
        lock (_gate)
        {
            if (_failure is not null)
            {
                capture.Fail(FailureError());
                return capture;
            }

            capture.Id = _nextCaptureId++;
            _captures[capture.Id] = capture;
        }

        var request = new PlayAndCaptureMessage(
            capture.Id,
            (byte)_options.DriveChannel,
            (byte)_options.CaptureChannel,
            (uint)_spec.Adc.SampleRateHz,
            (ushort)_samplesPerSegment,
            (ushort)binCount,
            codes);
        await SendAsync(request, cancellationToken, capture).ConfigureAwait(false);
        _counters.AddPayload(2 * codes.Length);
        _counters.AddDrive(2 * packed * (_spec.DriveLength + _spec.OutputSize));
        return capture;
    }

    /// <summary>Sends a reliable message when the window has room; returns its link sequence number.</summary>
    private async Task<ushort> SendAsync(
        Message message, CancellationToken cancellationToken, PendingCapture? capture = null)
    {
        while (true)
        {
            lock (_gate)
            {
                ThrowIfFailed();
                var sent = _link.TrySend(message, NowMs);
                CheckSink();
                if (sent)
                {
                    if (capture is not null)
                    {
                        capture.Sequence = _link.LastSentSequence;
                        _captureBySequence[capture.Sequence] = capture.Id;
                    }

                    return _link.LastSentSequence;
                }
            }

            // The window is full: acks free it within a round trip.
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private ushort DacCode(double value) => (ushort)Quantiser.Code(value, _spec.Dac.Min, _spec.Dac.Max, _dacBits);

    private void ToResponses(ReadOnlySpan<ushort> binMeans, Span<float> response)
    {
        // Bin means arrive left-justified to 16 bits: the ADC code with extra fractional bits.
        var scale = 1.0 / (1 << (16 - _adcBits)) / ((1 << _adcBits) - 1);
        var span = _spec.Adc.Max - _spec.Adc.Min;
        for (var b = 0; b < response.Length; b++)
        {
            response[b] = (float)(_spec.Adc.Min + (binMeans[b] * scale * span));
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
                read = await _connection.Stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException
                or InvalidOperationException or UnauthorizedAccessException)
            {
                Fail(_stop.IsCancellationRequested
                    ? "the bridge connection was closed"
                    : $"reading from the bridge failed: {e.Message}");
                return;
            }

            if (read == 0)
            {
                Fail("the bridge closed the connection");
                return;
            }

            _counters.AddRead(read);
            lock (_gate)
            {
                if (_failure is null)
                {
                    _link.Receive(buffer, 0, read, NowMs);
                    CheckSink();
                }
            }
        }
    }

    private async Task PollLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
        var openedMs = NowMs;
        var lastTickMs = openedMs;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    if (_failure is not null)
                    {
                        return;
                    }

                    _link.Poll(NowMs);
                    CheckSink();
                    var silentMs = NowMs - Math.Max(openedMs, _link.LastReceivedMs);
                    if (_failure is null && silentMs > _options.SilenceTimeout.TotalMilliseconds)
                    {
                        Fail($"nothing heard from the bridge for {silentMs} ms (unplugged, powered off or hung)");
                    }

                    // A tick this late means the host itself stalled: the silence may be ours, not the bridge's.
                    var hostStalled = NowMs - lastTickMs > _options.StallTimeout.TotalMilliseconds / 2;
                    lastTickMs = NowMs;
                    if (_failure is null && !hostStalled && StalledFor(silentMs) is { } stall)
                    {
                        Fail(stall);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>
    /// Why the bridge counts as hung while a forward waits on it, or null: it plays captures one after the other and
    /// says nothing while one plays, so it may be silent for the playback of every capture pending, and for
    /// <see cref="BridgeDeviceOptions.StallTimeout"/> more. Called under the gate.
    /// </summary>
    private string? StalledFor(long silentMs)
    {
        if (_captures.Count == 0)
        {
            return null;
        }

        var playbackMs = 0.0;
        foreach (var capture in _captures.Values)
        {
            playbackMs += SegmentsFor(capture.Drives) * _spec.Dac.SegmentSeconds * 1000;
        }

        // On a slow line a whole frame each way may be on the wire per capture before anything is heard.
        var frameMs = _options.BaudRate > 0 ? 2 * (_payload + 64) * 10_000.0 / _options.BaudRate : 0;
        var allowedMs = playbackMs + ((_captures.Count + 1) * frameMs) + _options.StallTimeout.TotalMilliseconds;
        return silentMs > allowedMs
            ? $"nothing heard from the bridge for {silentMs} ms while {_captures.Count} capture(s) waited "
                + $"({allowedMs:F0} ms allowed: playback, line time and the stall timeout; the bridge is hung)"
            : null;
    }

    private void CheckSink()
    {
        if (_sink.Failure is { } failure)
        {
            Fail(failure);
        }

        var retransmissions = _link.Retransmissions;
        _counters.AddRetransmissions(retransmissions - _retransmissionsCounted);
        _retransmissionsCounted = retransmissions;

        // What the line did since the last look tunes request size and retry budget (LinkTuning) — once the bridge
        // was heard again: retransmissions into silence are a hung or unplugged bridge, not a lossy line, and must
        // not raise the retry limit that detects it.
        var losses = retransmissions + _link.CrcFailures;
        var lineBytes = _counters.LineBytes;
        var heard = _link.LastReceivedMs;
        if (heard != _heardObserved && (losses != _lossesObserved || lineBytes - _lineBytesObserved >= 1024))
        {
            _tuning.Observe(lineBytes - _lineBytesObserved, losses - _lossesObserved);
            (_lossesObserved, _lineBytesObserved, _heardObserved) = (losses, lineBytes, heard);
            var payload = _tuning.RequestPayload(_payload > 0 ? _payload : _options.MaxPayload);
            _link.RetryLimit = _tuning.RetryLimit(payload);
            _link.MaxRetransmitTimeoutMs = _tuning.MaxRetransmitTimeoutMs(
                payload, _link.MinRetransmitTimeoutMs, (int)_options.MaxRetransmitTimeout.TotalMilliseconds);
        }
    }

    private void Fail(string reason)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = reason;
            var error = FailureError();
            _hello.TrySetException(error);
            foreach (var capture in _captures.Values)
            {
                capture.Fail(error);
            }
        }

        // Never inline: the callback may dispose this session, and Fail runs inside the link and the loops.
        ThreadPool.QueueUserWorkItem(_ => _onFailed(this, reason));
    }

    private IOException FailureError() => new($"Bridge link for layer '{_spec.Name}' failed: {_failure}");

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw FailureError();
        }
    }

    private string Describe()
    {
        lock (_gate)
        {
            return $"{_link.FramesSent} frames sent, {_link.Retransmissions} retransmitted, "
                + $"{_link.CrcFailures} CRC failures, retransmission timeout {_link.RetransmitTimeoutMs} ms";
        }
    }

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

                _counters.AddPayload(2 * result.ValueCount);
                capture.Received += result.ValueCount;
                if (capture.Received >= result.TotalValues)
                {
                    _captureBySequence.Remove(capture.Sequence);
                    capture.Complete();
                }

                break;
            case ErrorMessage error:
                OnError(error);
                break;
        }
    }

    private void OnError(ErrorMessage error)
    {
        // The bridge names the request it refuses by the link sequence that carried it.
        var related = error.RelatedSequence;
        if (!_hello.Task.IsCompleted)
        {
            _hello.TrySetException(new IOException(
                $"The bridge refused Hello (sequence {related}, {error.Code}): {error.Text}"));
        }
        else if (_captureBySequence.Remove(related, out var id) && _captures.TryGetValue(id, out var failed))
        {
            failed.Fail(new IOException(
                $"The bridge refused capture {id} (request sequence {related}, {error.Code}): {error.Text}"));
        }
        else
        {
            // A SetSafe, or a capture already given up: nobody waits for it, so it is kept for the status report.
            LastDeviceError = $"{error.Code} for request sequence {related}: {error.Text}";
        }
    }

    private sealed class PendingCapture(int values, int drives, SemaphoreSlim outstanding)
    {
        private int _settled;

        public ushort Id { get; set; }

        public ushort Sequence { get; set; }

        public int Drives { get; } = drives;

        /// <summary>Index of its first drive in the forward.</summary>
        public int FirstDrive { get; set; }

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

    private sealed class Listener(BridgeSession session) : ILinkListener
    {
        public void OnMessage(Message message) => session.OnMessage(message);

        // Called under the gate from Receive or Poll; Fail re-enters the same lock, which Lock allows.
        public void OnLinkFailed(string reason) => session.Fail(reason);
    }
}
