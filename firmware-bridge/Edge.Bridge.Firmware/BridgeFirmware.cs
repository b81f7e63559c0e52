using Edge.Bridge.Protocol;

namespace Edge.Bridge.Firmware;

/// <summary>
/// The bridge firmware's main logic, shared by the ESP32 app and the .NET emulator: answers Hello with the board's
/// capabilities, runs PlayAndCapture requests one after the other on the <see cref="WaveformSequencer"/> and streams
/// their results back in payload-sized slices, applies SetSafe, and drives every DAC output to its safe code when the
/// host falls silent or the link fails. The board's main loop feeds received bytes to <see cref="Receive"/> and calls
/// <see cref="Poll"/> every few milliseconds; nothing here blocks except a running capture.
/// </summary>
public sealed class BridgeFirmware : ILinkListener
{
    private const int QueueLength = 8;
    private readonly FirmwareSettings settings;
    private readonly IDacDriver dac;
    private readonly IAdcDriver adc;
    private readonly IByteSink output;
    private readonly WaveformSequencer sequencer;
    private readonly int[] samples;
    private readonly int[] safeCodes;
    private readonly PlayAndCaptureMessage?[] queue = new PlayAndCaptureMessage?[QueueLength];
    private readonly Message?[] outbox = new Message?[64];
    private ReliableLink link;
    private int queueHead;
    private int queueCount;
    private int outboxHead;
    private int outboxCount;
    private bool negotiated;
    private int pendingPayload;
    private bool watchdogTripped;
    private ushort sessionSeed;

    /// <summary>Creates the firmware over the board's hardware.</summary>
    public BridgeFirmware(FirmwareSettings settings, IDacDriver dac, IAdcDriver adc, ITickClock clock, IByteSink output,
        ushort initialSequence)
    {
        this.settings = settings;
        this.dac = dac;
        this.adc = adc;
        this.output = output;
        sequencer = new WaveformSequencer(dac, adc, clock);
        samples = new int[settings.BufferSamples];
        safeCodes = new int[dac.Channels];
        for (var c = 0; c < safeCodes.Length; c++)
        {
            safeCodes[c] = settings.SafeCode;
        }

        sessionSeed = initialSequence;
        link = NewLink();
        DriveSafe();
    }

    /// <summary>Whether a host has said Hello on the current link.</summary>
    public bool Negotiated => negotiated;

    /// <summary>Times the watchdog or a link failure put the outputs in their safe state.</summary>
    public int SafeStateEntries { get; private set; }

    /// <summary>Captures completed.</summary>
    public int CapturesDone { get; private set; }

    /// <summary>Samples that missed their deadline, over all captures.</summary>
    public long LateSamples { get; private set; }

    /// <summary>Lead of the last capture's sequencer before its first deadline, in ticks.</summary>
    public long LastLeadTicks => sequencer.LeadTicks;

    /// <summary>The current link (for its counters).</summary>
    public ReliableLink Link => link;

    /// <summary>Bytes from the UART.</summary>
    public void Receive(byte[] data, int offset, int count, long nowMs) => link.Receive(data, offset, count, nowMs);

    /// <summary>Retransmits, sends queued results, runs the next capture, and checks the watchdog.</summary>
    public void Poll(long nowMs)
    {
        link.Poll(nowMs);
        if (link.HasFailed)
        {
            Reset();
            return;
        }

        if (pendingPayload > 0 && link.InFlight == 0 && outboxCount == 0)
        {
            link.SetMaxPayload(pendingPayload);
            pendingPayload = 0;
        }

        Flush(nowMs);
        if (queueCount > 0 && outboxCount == 0 && pendingPayload == 0)
        {
            var request = queue[queueHead]!;
            queue[queueHead] = null;
            queueHead = (queueHead + 1) % QueueLength;
            queueCount--;
            Run(request);
            Flush(nowMs);
        }

        // Once per silence: whatever the outputs hold (a glitch, a half-played drive), they go safe.
        var silentFor = link.LastReceivedMs < 0 ? 0 : nowMs - link.LastReceivedMs;
        if (silentFor <= settings.WatchdogTimeoutMs)
        {
            watchdogTripped = false;
        }
        else if (negotiated && !watchdogTripped)
        {
            DriveSafe();
            SafeStateEntries++;
            watchdogTripped = true;
        }
    }

    /// <inheritdoc />
    /// <remarks>Every Error names the request it answers: the link sequence of the message being delivered.</remarks>
    public void OnMessage(Message message)
    {
        switch (message.Type)
        {
            case MessageType.Hello:
                OnHello((HelloMessage)message);
                break;
            case MessageType.PlayAndCapture:
                Enqueue((PlayAndCaptureMessage)message);
                break;
            case MessageType.SetSafe:
                OnSetSafe((SetSafeMessage)message);
                break;
            case MessageType.Heartbeat:
                break;
            default:
                Send(new ErrorMessage(
                    BridgeErrorCode.Unsupported,
                    link.LastDeliveredSequence,
                    "the bridge does not accept " + MessageName(message.Type) + " messages"));
                break;
        }
    }

    /// <inheritdoc />
    public void OnLinkFailed(string reason)
    {
        // Nothing more can be delivered on this link: make the outputs safe; Poll opens a fresh one.
        DriveSafe();
        SafeStateEntries++;
    }

    private void OnHello(HelloMessage hello)
    {
        var version = ProtocolVersion.Negotiate(hello.MinVersion, hello.MaxVersion, ProtocolVersion.Minimum,
            ProtocolVersion.Current);
        if (version < 0)
        {
            Send(new ErrorMessage(
                BridgeErrorCode.Unsupported,
                link.LastDeliveredSequence,
                "no common protocol version: host speaks " + hello.MinVersion + ".." + hello.MaxVersion
                + ", bridge 1..1"));
            return;
        }

        // A Hello opens a host session (first boot or a restarted host): answer in a fresh sending session so the
        // host's new receiver takes our frames, and forget anything queued for the previous host.
        sessionSeed = (ushort)((sessionSeed * 25173) + 13849);
        link.RestartSendSession(sessionSeed);
        ClearQueues();
        negotiated = true;
        Send(new HelloAckMessage(
            (byte)version,
            (byte)dac.Channels,
            (byte)adc.Channels,
            (byte)dac.Bits,
            (byte)adc.Bits,
            (uint)settings.MaxSampleRateHz,
            (uint)settings.BufferSamples,
            (ushort)settings.MaxPayload,
            Capabilities.BinnedCapture | Capabilities.RawCapture | Capabilities.Heartbeat));
        pendingPayload = hello.MaxPayload < settings.MaxPayload ? hello.MaxPayload : settings.MaxPayload;
    }

    private void Enqueue(PlayAndCaptureMessage request)
    {
        var problem = Check(request);
        if (problem != null)
        {
            Send(new ErrorMessage(BridgeErrorCode.InvalidRequest, link.LastDeliveredSequence, problem));
            return;
        }

        if (queueCount == QueueLength)
        {
            Send(new ErrorMessage(
                BridgeErrorCode.Overrun,
                link.LastDeliveredSequence,
                "capture " + request.CaptureId + " refused: " + QueueLength + " captures already queued"));
            return;
        }

        queue[(queueHead + queueCount) % QueueLength] = request;
        queueCount++;
    }

    private string? Check(PlayAndCaptureMessage request)
    {
        var id = "capture " + request.CaptureId + ": ";
        if (!negotiated)
        {
            return id + "no Hello yet";
        }

        if (request.DriveChannel >= dac.Channels || request.CaptureChannel >= adc.Channels)
        {
            return id + "channel DAC " + request.DriveChannel + " / ADC " + request.CaptureChannel + " does not exist";
        }

        if (request.SampleRateHz > settings.MaxSampleRateHz)
        {
            return id + request.SampleRateHz + " Hz is above the " + settings.MaxSampleRateHz + " Hz limit";
        }

        if (request.TotalSamples > settings.BufferSamples)
        {
            return id + request.TotalSamples + " samples exceed the " + settings.BufferSamples + "-sample buffer";
        }

        var maxCode = (1 << dac.Bits) - 1;
        for (var s = 0; s < request.SegmentCount; s++)
        {
            if (request.GetSegmentCode(s) > maxCode)
            {
                return id + "segment " + s + " code " + request.GetSegmentCode(s) + " is above " + maxCode;
            }
        }

        return null;
    }

    private void Run(PlayAndCaptureMessage request)
    {
        var codes = new ushort[request.SegmentCount];
        for (var s = 0; s < codes.Length; s++)
        {
            codes[s] = request.GetSegmentCode(s);
        }

        var total = (int)request.TotalSamples;
        sequencer.Play(codes, codes.Length, request.SamplesPerSegment, (int)request.SampleRateHz, request.DriveChannel,
            request.CaptureChannel, samples);
        dac.Write(request.DriveChannel, safeCodes[request.DriveChannel]);
        LateSamples += sequencer.LateSamples;
        CapturesDone++;

        var binned = request.BinCount > 0;
        var count = binned ? request.BinCount : total;
        var values = new ushort[count];
        if (binned)
        {
            var perBin = total / count;
            var shift = 16 - adc.Bits;
            for (var b = 0; b < count; b++)
            {
                long sum = 0;
                for (var k = 0; k < perBin; k++)
                {
                    sum += samples[(b * perBin) + k];
                }

                // Bin mean left-justified to 16 bits, rounded: averaging keeps its extra resolution.
                var scaled = ((sum << shift) + (perBin / 2)) / perBin;
                values[b] = (ushort)(scaled > 65535 ? 65535 : scaled);
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                values[i] = (ushort)samples[i];
            }
        }

        var perSlice = (link.MaxPayload - CaptureResultMessage.HeaderLength) / 2;
        var kind = binned ? CaptureKind.Binned : CaptureKind.Raw;
        for (var first = 0; first < count; first += perSlice)
        {
            var n = count - first < perSlice ? count - first : perSlice;
            var slice = new ushort[n];
            System.Array.Copy(values, first, slice, 0, n);
            Send(new CaptureResultMessage(request.CaptureId, request.CaptureChannel, kind, (uint)count, (uint)first,
                slice));
        }
    }

    private void OnSetSafe(SetSafeMessage message)
    {
        var maxCode = (1 << dac.Bits) - 1;
        if (message.Code > maxCode
            || (message.Channel != SetSafeMessage.AllChannels && message.Channel >= dac.Channels))
        {
            Send(new ErrorMessage(
                BridgeErrorCode.InvalidRequest,
                link.LastDeliveredSequence,
                "SetSafe channel " + message.Channel + " code " + message.Code + " is out of range"));
            return;
        }

        for (var c = 0; c < safeCodes.Length; c++)
        {
            if (message.Channel == SetSafeMessage.AllChannels || message.Channel == c)
            {
                safeCodes[c] = message.Code;
            }
        }

        DriveSafe();
    }

    private void DriveSafe()
    {
        for (var c = 0; c < safeCodes.Length; c++)
        {
            dac.Write(c, safeCodes[c]);
        }
    }

    private void Send(Message message)
    {
        if (outboxCount == outbox.Length)
        {
            // The host stopped acknowledging long ago; the link will fail and reset everything.
            return;
        }

        outbox[(outboxHead + outboxCount) % outbox.Length] = message;
        outboxCount++;
    }

    private void Flush(long nowMs)
    {
        while (outboxCount > 0 && link.CanSend
            && (pendingPayload == 0 || outbox[outboxHead]!.Type == MessageType.HelloAck))
        {
            if (!link.TrySend(outbox[outboxHead]!, nowMs))
            {
                return;
            }

            outbox[outboxHead] = null;
            outboxHead = (outboxHead + 1) % outbox.Length;
            outboxCount--;
        }
    }

    private void Reset()
    {
        DriveSafe();
        negotiated = false;
        pendingPayload = 0;
        ClearQueues();
        sessionSeed = (ushort)((sessionSeed * 25173) + 13849);
        link = NewLink();
    }

    private void ClearQueues()
    {
        queueCount = 0;
        outboxCount = 0;
        for (var i = 0; i < queue.Length; i++)
        {
            queue[i] = null;
        }

        for (var i = 0; i < outbox.Length; i++)
        {
            outbox[i] = null;
        }
    }

    private ReliableLink NewLink()
    {
        var options = new LinkOptions
        {
            WindowSize = settings.WindowSize,
            RetransmitTimeoutMs = settings.RetransmitTimeoutMs,
            BaudRate = settings.BaudRate,
            RetryLimit = settings.RetryLimit,
            InitialSequence = sessionSeed,
            HeartbeatIntervalMs = settings.HeartbeatIntervalMs,
        };
        return new ReliableLink(output, this, options);
    }

    private static string MessageName(MessageType type)
    {
        switch (type)
        {
            case MessageType.HelloAck:
                return "HelloAck";
            case MessageType.CaptureResult:
                return "CaptureResult";
            case MessageType.Error:
                return "Error";
            default:
                return "type " + (int)type;
        }
    }
}
