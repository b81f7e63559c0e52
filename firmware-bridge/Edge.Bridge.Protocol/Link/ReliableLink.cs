namespace Edge.Bridge.Protocol;

/// <summary>
/// Reliable, ordered delivery over a lossy byte stream: sequence numbers, cumulative acks piggybacked on every frame,
/// nacks for gaps and corrupt frames, selective retransmission after a timeout with a retry limit, duplicate
/// suppression, reordering within a window, and a send window for flow control. The timeout runs from the moment a
/// frame has left the line (its airtime at the baud rate, behind the frames queued before it) and follows the
/// measured round trip (RFC 6298, Karn's rule, exponential backoff). Time is passed in (nowMs), so the link is
/// deterministic; it never starts threads or timers.
/// </summary>
public sealed class ReliableLink
{
    private readonly IByteSink output;
    private readonly ILinkListener listener;
    private readonly PendingFrame?[] pending;
    private readonly ReceiveWindow receiveWindow;
    private readonly RoundTripEstimator roundTrip;
    private readonly int baudRate;
    private int retryLimit;
    private readonly int heartbeatIntervalMs;
    private StreamDecoder decoder;
    private ushort nextSequence;
    private bool sessionOpened;
    private int lastGapNacked = -1;
    private long nowMs;
    private long lastSentMs;
    private long lineFreeUs;

    /// <summary>Creates a link.</summary>
    /// <param name="output">Transmitter; each frame is written in one call.</param>
    /// <param name="listener">Gets delivered messages and the failure report.</param>
    /// <param name="options">Window, timeout, retry limit, payload limit, initial sequence, heartbeat.</param>
    public ReliableLink(IByteSink output, ILinkListener listener, LinkOptions options)
    {
        if (options.WindowSize < 1 || options.WindowSize > LinkOptions.MaxWindowSize)
        {
            throw new
                System.ArgumentException($"window size {options.WindowSize} is outside 1..{LinkOptions.MaxWindowSize}",
                    nameof(options));
        }

        if (options.RetransmitTimeoutMs < 1 || options.RetryLimit < 0)
        {
            throw new
                System.ArgumentException($"retransmit timeout {options.RetransmitTimeoutMs} ms must be positive and "
                    + $"retry limit {options.RetryLimit} not negative", nameof(options));
        }

        if (options.MinRetransmitTimeoutMs < 1 || options.MaxRetransmitTimeoutMs < options.MinRetransmitTimeoutMs)
        {
            throw new System.ArgumentException(
                $"retransmit timeout bounds {options.MinRetransmitTimeoutMs}..{options.MaxRetransmitTimeoutMs} ms "
                + "must be positive and ordered", nameof(options));
        }

        if (options.BaudRate < 0)
        {
            throw new System.ArgumentException($"baud rate {options.BaudRate} cannot be negative", nameof(options));
        }

        this.output = output;
        this.listener = listener;
        pending = new PendingFrame?[options.WindowSize];
        receiveWindow = new ReceiveWindow(options.WindowSize);
        roundTrip = new RoundTripEstimator(
            options.RetransmitTimeoutMs, options.MinRetransmitTimeoutMs, options.MaxRetransmitTimeoutMs);
        baudRate = options.BaudRate;
        retryLimit = options.RetryLimit;
        heartbeatIntervalMs = options.HeartbeatIntervalMs;
        nextSequence = options.InitialSequence;
        decoder = new StreamDecoder(new DecoderCallbacks(this), options.MaxPayload);
    }

    /// <summary>Current payload limit.</summary>
    public int MaxPayload => decoder.MaxPayload;

    /// <summary>Whether the window has room for another reliable message.</summary>
    public bool CanSend => !HasFailed && InFlight < pending.Length;

    /// <summary>Reliable messages sent and not yet acknowledged.</summary>
    public int InFlight
    {
        get
        {
            var count = 0;
            for (var i = 0; i < pending.Length; i++)
            {
                count += pending[i] is null ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>Whether the link gave up.</summary>
    public bool HasFailed => FailureReason is not null;

    /// <summary>Why the link gave up, or null.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Time of the last frame received intact (for a silence watchdog); -1 before the first.</summary>
    public long LastReceivedMs { get; private set; } = -1;

    /// <summary>Frames written to the output, first transmissions, retransmissions and control frames.</summary>
    public int FramesSent { get; private set; }

    /// <summary>Reliable frames sent again after a timeout or a nack.</summary>
    public int Retransmissions { get; private set; }

    /// <summary>Reliable messages handed to the listener.</summary>
    public int MessagesDelivered { get; private set; }

    /// <summary>Reliable frames received again after their delivery, and dropped.</summary>
    public int DuplicatesSuppressed { get; private set; }

    /// <summary>Reliable frames held because they arrived ahead of a gap.</summary>
    public int OutOfOrderHeld { get; private set; }

    /// <summary>Nacks sent.</summary>
    public int NacksSent { get; private set; }

    /// <summary>Nacks received.</summary>
    public int NacksReceived { get; private set; }

    /// <summary>The retransmission timeout a frame sent now would get after leaving the line, backoff
    /// included.</summary>
    public int RetransmitTimeoutMs => roundTrip.TimeoutMs;

    /// <summary>Smoothed round trip beyond the frames' airtime (RFC 6298 SRTT), or -1 before the first
    /// sample.</summary>
    public int SmoothedRoundTripMs => roundTrip.HasSample ? roundTrip.SmoothedMs : -1;

    /// <summary>Mean deviation of the round trip (RFC 6298 RTTVAR), or -1 before the first sample.</summary>
    public int RoundTripVariationMs => roundTrip.HasSample ? roundTrip.VariationMs : -1;

    /// <summary>Sequence number of the last reliable frame sent (valid after the first
    /// <see cref="TrySend"/>).</summary>
    public ushort LastSentSequence { get; private set; }

    /// <summary>
    /// Sequence number of the reliable message being (or last) handed to the listener, so an answer can name the
    /// request it belongs to.
    /// </summary>
    public ushort LastDeliveredSequence { get; private set; }

    /// <summary>Blocks between delimiters that were not valid frames (CRC, COBS, length, version, type).</summary>
    public int BadFramesReceived { get; private set; }

    /// <summary>Blocks whose CRC failed (a subset of <see cref="BadFramesReceived"/>).</summary>
    public int CrcFailures => decoder.CrcFailures;

    /// <summary>Sends a reliable message if the window has room.</summary>
    /// <param name="message">Any message except Ack, Nack and Heartbeat.</param>
    /// <param name="nowMs">Current time in milliseconds.</param>
    /// <returns>False when the window is full (try again after acks arrive).</returns>
    /// <exception cref="System.InvalidOperationException">The link has failed.</exception>
    /// <exception cref="System.ArgumentException">The message type is not a reliable one.</exception>
    /// <exception cref="ProtocolException">The payload exceeds <see cref="MaxPayload"/>.</exception>
    public bool TrySend(Message message, long nowMs)
    {
        ThrowIfFailed();
        if (!message.IsReliable)
        {
            throw new System.ArgumentException($"{message.Type} is a control message; the link sends those itself",
                nameof(message));
        }

        RequireFits(message);
        var slot = FreeSlot();
        if (slot < 0)
        {
            return false;
        }

        this.nowMs = nowMs;
        var frame = new PendingFrame(message, nextSequence++, !sessionOpened);
        sessionOpened = true;
        LastSentSequence = frame.Sequence;
        pending[slot] = frame;
        Transmit(frame);
        return true;
    }

    /// <summary>Feeds bytes received from the peer, in chunks of any size.</summary>
    /// <param name="data">Received bytes.</param>
    /// <param name="offset">First byte.</param>
    /// <param name="count">Number of bytes.</param>
    /// <param name="nowMs">Current time in milliseconds.</param>
    public void Receive(byte[] data, int offset, int count, long nowMs)
    {
        if (HasFailed)
        {
            return;
        }

        this.nowMs = nowMs;
        decoder.Push(data, offset, count);
    }

    /// <summary>Retransmits frames whose timeout expired, fails the link past the retry limit, sends
    /// heartbeats.</summary>
    /// <param name="nowMs">Current time in milliseconds.</param>
    public void Poll(long nowMs)
    {
        if (HasFailed)
        {
            return;
        }

        this.nowMs = nowMs;
        var backedOff = false;
        for (var i = 0; i < pending.Length; i++)
        {
            var frame = pending[i];
            if (frame is null || nowMs < frame.DeadlineMs)
            {
                continue;
            }

            if (frame.Transmissions > retryLimit)
            {
                Fail($"sequence {frame.Sequence} ({frame.Message.Type}) was not acknowledged after "
                    + $"{frame.Transmissions} transmissions (retry limit {retryLimit}, last timeout "
                    + $"{frame.DeadlineMs - frame.LeftLineMs} ms after it left the line)");
                return;
            }

            // One expiry doubles the timeout once, however many frames it catches (RFC 6298 5.5).
            if (!backedOff)
            {
                roundTrip.BackOff();
                backedOff = true;
            }

            Retransmit(frame);
        }

        if (heartbeatIntervalMs > 0 && nowMs - lastSentMs >= heartbeatIntervalMs)
        {
            SendControl(new HeartbeatMessage((uint)nowMs));
        }
    }

    /// <summary>
    /// Starts a new sending session: drops every unacknowledged frame and numbers the next reliable frame from
    /// <paramref name="initialSequence"/> with the <c>Sync</c> flag. A device calls this when a host's Hello opens a
    /// new host session (the host restarted), so the host's fresh receiver accepts the device's frames; the receiving
    /// side is untouched.
    /// </summary>
    /// <param name="initialSequence">First sequence of the new session (random per session).</param>
    public void RestartSendSession(ushort initialSequence)
    {
        ThrowIfFailed();
        for (var i = 0; i < pending.Length; i++)
        {
            pending[i] = null;
        }

        nextSequence = initialSequence;
        sessionOpened = false;
    }

    /// <summary>
    /// Retransmissions allowed per frame before the link fails. A host may raise it while the link runs, when it
    /// measures a line lossy enough that the configured budget would fail frames that are merely unlucky.
    /// </summary>
    /// <exception cref="System.ArgumentException">The value is negative.</exception>
    public int RetryLimit
    {
        get => retryLimit;
        set
        {
            if (value < 0)
            {
                throw new System.ArgumentException($"retry limit {value} cannot be negative", nameof(value));
            }

            retryLimit = value;
        }
    }

    /// <summary>
    /// Upper bound of the retransmission timeout, backoff included (at least the lower bound). A host may lower it
    /// while the link runs on a line that loses frames at random rather than from congestion, where doubling the
    /// timer only slows the repair.
    /// </summary>
    public int MaxRetransmitTimeoutMs
    {
        get => roundTrip.MaxMs;
        set => roundTrip.MaxMs = value;
    }

    /// <summary>Lower bound of the retransmission timeout.</summary>
    public int MinRetransmitTimeoutMs => roundTrip.MinMs;

    /// <summary>Applies the payload limit agreed in Hello/HelloAck; drops any partially received block.</summary>
    /// <param name="maxPayload">The negotiated limit.</param>
    /// <exception cref="System.InvalidOperationException">Reliable frames are still in flight.</exception>
    public void SetMaxPayload(int maxPayload)
    {
        FrameCodec.RequireNegotiablePayload(maxPayload);
        if (InFlight > 0)
        {
            throw new
                System.InvalidOperationException($"cannot change the payload limit with {InFlight} frames in flight");
        }

        decoder = new StreamDecoder(new DecoderCallbacks(this), maxPayload);
    }

    private void OnFrame(Frame frame)
    {
        LastReceivedMs = nowMs;
        if ((frame.Flags & FrameFlags.AckValid) != 0)
        {
            ProcessAck(frame.AckNumber);
        }

        Message message;
        try
        {
            message = MessageCodec.Decode(frame);
        }
        catch (ProtocolException)
        {
            // The CRC was good, so the peer built a bad payload: retrying cannot help, tell it.
            SendNack(NackReason.InvalidPayload, frame.Sequence);
            return;
        }

        switch (frame.Type)
        {
            case MessageType.Ack:
                return;
            case MessageType.Nack:
                NacksReceived++;
                HandleNack((NackMessage)message);
                return;
            case MessageType.Heartbeat:
                listener.OnMessage(message);
                return;
            default:
                HandleReliable(frame, message);
                return;
        }
    }

    private void OnBadFrame(ProtocolError error)
    {
        BadFramesReceived++;
        switch (error)
        {
            case ProtocolError.WrongVersion:
                SendNack(NackReason.WrongVersion, ProtocolVersion.Current);
                return;
            case ProtocolError.UnknownType:
                SendNack(NackReason.UnknownType, receiveWindow.Expected);
                return;
            case ProtocolError.LengthMismatch:
            case ProtocolError.PayloadTooLarge:
                SendNack(NackReason.BadLength, receiveWindow.Expected);
                return;
            default:
                // Corruption: ask for the next expected frame at once instead of waiting for the peer's timeout.
                // Before a session there is no sequence to name, and the peer's timeout covers it.
                if (receiveWindow.HasSession)
                {
                    SendNack(NackReason.CrcError, receiveWindow.Expected);
                }

                return;
        }
    }

    private void HandleReliable(Frame frame, Message message)
    {
        var sequence = frame.Sequence;
        var opensSession = (frame.Flags & FrameFlags.Sync) != 0;
        if (opensSession && (!receiveWindow.HasSession || sequence != receiveWindow.SessionStart))
        {
            receiveWindow.StartSession(sequence);
            lastGapNacked = -1;
        }

        if (!receiveWindow.HasSession)
        {
            // The peer's Sync frame was lost; it will be retransmitted and this frame after it.
            return;
        }

        var distance = SequenceDistance(receiveWindow.Expected, sequence);
        if (distance < 0)
        {
            DuplicatesSuppressed++;
            SendControl(AckMessage.Instance);
        }
        else if (distance == 0)
        {
            DeliverInOrder(message);
        }
        else if (distance < receiveWindow.Size)
        {
            if (receiveWindow.Hold(sequence, message))
            {
                OutOfOrderHeld++;
            }
            else
            {
                DuplicatesSuppressed++;
            }

            // One nack per gap: further early frames would only repeat the same request.
            if (lastGapNacked != receiveWindow.Expected)
            {
                lastGapNacked = receiveWindow.Expected;
                SendNack(NackReason.SequenceGap, receiveWindow.Expected);
            }
        }

        // Frames beyond the window are dropped unacknowledged; the sender repeats them once the window moves.
    }

    private void DeliverInOrder(Message message)
    {
        var next = receiveWindow.Advance();
        SendControl(AckMessage.Instance);
        Deliver(message);
        while (next is not null)
        {
            var current = next;
            next = receiveWindow.Advance();
            SendControl(AckMessage.Instance);
            Deliver(current);
        }
    }

    private void Deliver(Message message)
    {
        LastDeliveredSequence = (ushort)(receiveWindow.Expected - 1);
        MessagesDelivered++;
        listener.OnMessage(message);
    }

    private void ProcessAck(ushort ackNumber)
    {
        // An ack beyond anything sent belongs to another session; ignore it.
        if (SequenceDistance(ackNumber, nextSequence) < 0)
        {
            return;
        }

        for (var i = 0; i < pending.Length; i++)
        {
            var frame = pending[i];
            if (frame is not null && SequenceDistance(ackNumber, frame.Sequence) < 0)
            {
                // The receiver acks each frame as it takes it, so the newest acked frame times this round trip;
                // Karn: a retransmitted frame's ack could answer any copy, so it gives no sample.
                if (frame.Sequence == (ushort)(ackNumber - 1) && frame.Transmissions == 1)
                {
                    roundTrip.AddSample((int)(nowMs - frame.LeftLineMs));
                }

                pending[i] = null;
            }
        }
    }

    private void HandleNack(NackMessage nack)
    {
        switch (nack.Reason)
        {
            case NackReason.SequenceGap:
            case NackReason.CrcError:
            case NackReason.BadLength:
                var missing = FindPending(nack.Detail);
                if (missing is not null && missing.Transmissions <= retryLimit)
                {
                    Retransmit(missing);
                }

                return;
            case NackReason.Busy:
                // Back off: the timeout, restarted now, decides the next attempt.
                var refused = FindPending(nack.Detail);
                if (refused is not null)
                {
                    refused.DeadlineMs = nowMs + roundTrip.TimeoutMs;
                }

                return;
            case NackReason.WrongVersion:
                Fail($"peer speaks protocol version {nack.Detail}, this side {ProtocolVersion.Current}");
                return;
            default:
                Fail($"peer rejected sequence {nack.Detail}: {nack.Reason}");
                return;
        }
    }

    private void Transmit(PendingFrame frame)
    {
        frame.Transmissions++;
        var flags = frame.OpensSession ? FrameFlags.Sync : FrameFlags.None;
        var leftLineUs = Write(frame.Message, frame.Sequence, flags);
        frame.LeftLineMs = (leftLineUs + 999) / 1000;
        frame.DeadlineMs = frame.LeftLineMs + roundTrip.TimeoutMs;
    }

    private void Retransmit(PendingFrame frame)
    {
        Retransmissions++;
        Transmit(frame);
    }

    private void SendNack(NackReason reason, ushort detail)
    {
        NacksSent++;
        SendControl(new NackMessage(reason, detail));
    }

    private void SendControl(Message message) => Write(message, 0, FrameFlags.None);

    /// <summary>Encodes and writes a frame; returns when (µs) its last byte leaves the line.</summary>
    private long Write(Message message, ushort sequence, FrameFlags flags)
    {
        var ackNumber = receiveWindow.Expected;
        if (receiveWindow.HasSession)
        {
            flags |= FrameFlags.AckValid;
        }

        var wire = FrameCodec.EncodeWire(Frame.FromMessage(message, sequence, ackNumber, flags), decoder.MaxPayload);
        FramesSent++;
        lastSentMs = nowMs;
        var startUs = nowMs * 1000 > lineFreeUs ? nowMs * 1000 : lineFreeUs;
        lineFreeUs = startUs + (baudRate == 0 ? 0 : wire.Length * 10_000_000L / baudRate);
        output.Write(wire, 0, wire.Length);
        return lineFreeUs;
    }

    private PendingFrame? FindPending(ushort sequence)
    {
        for (var i = 0; i < pending.Length; i++)
        {
            var frame = pending[i];
            if (frame is not null && frame.Sequence == sequence)
            {
                return frame;
            }
        }

        return null;
    }

    private int FreeSlot()
    {
        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private void RequireFits(Message message)
    {
        if (message.PayloadLength > decoder.MaxPayload)
        {
            throw new ProtocolException(ProtocolError.PayloadTooLarge,
                $"payload length {message.PayloadLength} exceeds max {decoder.MaxPayload}");
        }
    }

    private void ThrowIfFailed()
    {
        if (FailureReason is not null)
        {
            throw new System.InvalidOperationException($"link failed: {FailureReason}");
        }
    }

    private void Fail(string reason)
    {
        if (FailureReason is not null)
        {
            return;
        }

        FailureReason = reason;
        listener.OnLinkFailed(reason);
    }

    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/> in 16-bit serial
    /// arithmetic.</summary>
    private static int SequenceDistance(ushort from, ushort to) => (short)(ushort)(to - from);

    /// <summary>Keeps the decoder callbacks off the link's public surface.</summary>
    private sealed class DecoderCallbacks : IFrameReceiver
    {
        private readonly ReliableLink link;

        public DecoderCallbacks(ReliableLink link)
        {
            this.link = link;
        }

        public void OnFrame(Frame frame) => link.OnFrame(frame);

        public void OnBadFrame(ProtocolError error, string description) => link.OnBadFrame(error);
    }
}
