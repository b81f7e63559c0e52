using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Edge.Bridge.Protocol;
using Edge.Domain.Audio;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using BridgeError = Edge.Bridge.Protocol.ErrorMessage;
using EdgeError = Edge.Domain.Messaging.ErrorMessage;

namespace Edge.Tests.Fuzzing;

/// <summary>Every decoder an outsider reaches, with valid seeds and the fields worth editing.</summary>
internal static class FuzzTargets
{
    private static readonly DateTimeOffset Time = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>All targets; <paramref name="packages"/> supplies the package reader and its seed.</summary>
    public static IReadOnlyList<FuzzTarget> All(PackageFuzzAdapter packages) =>
    [
        MeasurementBatchTarget(), PatRequestTarget(), PatReplyTarget(), ModelOfferTarget(),
        Json("inference-request", InferenceJsonContext.Default.InferenceRequestMessage,
            new InferenceRequestMessage { Features = [0.1f, 0.5f, 0.3f, 0.9f], Source = "a.wav" },
            new InferenceRequestMessage { Wav = WavSeeds()[0] }),
        Json("model-ack", MessagingJsonContext.Default.ModelAckMessage,
            new ModelAckMessage
            {
                DeviceId = "d-1", OfferId = Guid.NewGuid(), Accepted = true, Reason = "installed v2", Timestamp = Time,
            }),
        Json("status", MessagingJsonContext.Default.StatusMessage,
            new StatusMessage
            {
                DeviceId = "d-1", State = StatusMessage.Online, Timestamp = Time, System = "electronic",
                Spec = PhysicalSystems.Get("electronic").Spec, ModelVersion = 3,
            },
            new StatusMessage { DeviceId = "d-1", State = StatusMessage.Offline }),
        Json("error", MessagingJsonContext.Default.ErrorMessage,
            new EdgeError
            {
                DeviceId = "d-1", Topic = "edge/v1/d-1/pat/request", Problem = "bad", Timestamp = Time,
                    CorrelationData = "0a0b",
            }),
        Json("inference", MessagingJsonContext.Default.InferenceMessage,
            new InferenceMessage
            {
                DeviceId = "d-1", ClassIndex = 2, Label = "aw", Confidence = 0.75, LatencyMs = 3.5, ModelVersion = 4,
                Timestamp = Time,
            }),
        Json("inference-reply", InferenceJsonContext.Default.InferenceReplyMessage,
            new InferenceReplyMessage
            {
                DeviceId = "d-1", Ok = true, ClassIndex = 1, Label = "ah", Confidence = 0.5, DigitalMs = 1,
                    DeviceMs = 2,
                ModelVersion = 4, Source = "s", Timestamp = Time,
            },
            new InferenceReplyMessage { DeviceId = "d-1", Ok = false, Error = "no active model", Timestamp = Time }),
        new FuzzTarget
        {
            Name = "package",
            Seeds = [packages.ValidPackage()],
            Decode = input => { packages.Read(input); return null; },
            Refusals = [PackageFuzzAdapter.Refusal],
            Fields = ZipFields,
        },
        new FuzzTarget
        {
            Name = "wav",
            Seeds = WavSeeds(),
            Decode = input => { WavReader.Read(input); return null; },
            Refusals = [typeof(WavFormatException)],
            Fields = WavFields,
        },
        BridgeTarget(),
    ];

    private static FuzzTarget MeasurementBatchTarget()
    {
        var seeds = new List<byte[]>();
        foreach (var (count, inputs, drives, outputs) in new[] { (1, 0, 1, 1), (3, 2, 3, 2), (8, 12, 24, 12) })
        {
            var random = new Random(count);
            float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble())];
            var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
            long[] times = [.. Enumerable.Range(0, count).Select(i => 1_700_000_000_000L + i)];
            var batch = new MeasurementBatch(
                inputs, drives, outputs, ids, times, Values(count * inputs), Values(count * drives),
                    Values(count * outputs));
            seeds.Add(batch.Encode());
        }

        (int, int)[] fields = [(4, 4), (8, 2), (10, 2), (12, 2), (14, 2)];
        return Frame("measurement-batch", seeds, input => MeasurementBatch.Decode(input), fields);
    }

    private static FuzzTarget PatRequestTarget() => Frame(
        "pat-request",
        [PatFrames.EncodeRequest([0.1f, 0.2f, 0.3f], 3), PatFrames.EncodeRequest(new float[24 * 4], 24)],
        input => PatFrames.DecodeRequest(input, out _),
        [(4, 4), (8, 2), (10, 2)]);

    private static FuzzTarget PatReplyTarget() => Frame(
        "pat-reply",
        [PatFrames.EncodeReply(new float[8], 2), PatFrames.EncodeErrorReply("device busy")],
        input => PatFrames.DecodeReply(input, new float[8], 2),
        [(4, 1), (5, 1), (6, 4), (10, 2)]);

    private static FuzzTarget ModelOfferTarget() => Frame(
        "model-offer",
        [new ModelOffer(Guid.NewGuid(), Encoding.ASCII.GetBytes("PK\u0003\u0004 not really a zip")).Encode()],
        PackageFuzzAdapter.DecodeOffer,
        [(4 + 16, 4)]);

    /// <summary>A binary Edge frame: the CRC is recomputed after most mutations, so they reach the body
    /// checks.</summary>
    private static FuzzTarget Frame(
        string name, IReadOnlyList<byte[]> seeds, Action<byte[]> decode, (int Offset, int Width)[] bodyFields)
    {
        FuzzField[] fields = [new(2, 1), new(3, 1), .. bodyFields.Select(f => new FuzzField(f.Offset, f.Width))];
        return new FuzzTarget
        {
            Name = name,
            Seeds = seeds,
            Decode = input => { decode(input); return null; },
            Refusals = [typeof(MessageFormatException)],
            Fields = _ => fields,
            Finish = (input, random) => random.Next(100) < 85 ? WithCrc(input) : input,
        };
    }

    private static byte[] WithCrc(byte[] frame)
    {
        if (frame.Length >= 8)
        {
            var crc = System.IO.Hashing.Crc32.HashToUInt32(frame.AsSpan(0, frame.Length - 4));
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(frame.Length - 4), crc);
        }

        return frame;
    }

    private static FuzzTarget Json<T>(string name, JsonTypeInfo<T> typeInfo, params T[] seeds)
        where T : IControlMessage => new()
        {
            Name = name,
            Seeds = [.. seeds.Select(seed => ControlJson.Serialize(seed, typeInfo))],
            Decode = input => { ControlJson.Parse(input, typeInfo); return null; },
            Refusals = [typeof(MessageFormatException)],
            IsJson = true,
        };

    private static byte[][] WavSeeds()
    {
        var samples = Enumerable.Range(0, 64).Select(i => Math.Sin(i / 5.0) * 0.5).ToArray();
        return
        [
            WavWriter.Encode(samples, 1, 8000, WavEncoding.Pcm16),
            WavWriter.Encode(samples, 2, 16000, WavEncoding.Pcm24),
            WavWriter.Encode(samples, 1, 44100, WavEncoding.Float32, extensible: true),
            WavWriter.Encode(samples, 4, 48000, WavEncoding.Float64),
        ];
    }

    /// <summary>The RIFF size and every chunk's size, plus the fmt chunk's fields.</summary>
    private static List<FuzzField> WavFields(byte[] input)
    {
        var fields = new List<FuzzField> { new(4, 4) };
        var at = 12;
        while (at + 8 <= input.Length && fields.Count < 32)
        {
            fields.Add(new FuzzField(at + 4, 4));
            if (input.AsSpan(at, 4).SequenceEqual("fmt "u8))
            {
                (int, int)[] format = [(0, 2), (2, 2), (4, 4), (8, 4), (12, 2), (14, 2), (16, 2), (18, 2), (24, 2)];
                foreach (var (offset, width) in format)
                {
                    fields.Add(new FuzzField(at + 8 + offset, width));
                }
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan(at + 4));
            if (size > (uint)input.Length)
            {
                break;
            }

            at += 8 + (int)size + (int)(size & 1);
        }

        return fields;
    }

    /// <summary>Sizes, counts, name lengths and offsets in a zip's local headers, central directory and end
    /// record.</summary>
    private static List<FuzzField> ZipFields(byte[] input)
    {
        var fields = new List<FuzzField>();
        for (var i = 0; i + 4 <= input.Length && fields.Count < 256; i++)
        {
            if (input[i] != (byte)'P' || input[i + 1] != (byte)'K')
            {
                continue;
            }

            (int, int)[] layout = (input[i + 2], input[i + 3]) switch
            {
                (3, 4) => [(8, 2), (18, 4), (22, 4), (26, 2), (28, 2)],
                (1, 2) => [(10, 2), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (42, 4)],
                (5, 6) => [(8, 2), (10, 2), (12, 4), (16, 4), (20, 2)],
                _ => [],
            };
            fields.AddRange(layout.Select(f => new FuzzField(i + f.Item1, f.Item2)));
        }

        return fields;
    }

    /// <summary>The bridge's stream decoder (COBS, CRC, header) and the message codec behind it.</summary>
    private static FuzzTarget BridgeTarget()
    {
        Message[] messages =
        [
            new HelloMessage(1, 1, 1024, Capabilities.RawCapture | Capabilities.BinnedCapture),
            new HelloAckMessage(1, 2, 2, 12, 12, 100_000, 4096, 1024, Capabilities.Heartbeat),
            new PlayAndCaptureMessage(7, 0, 1, 48_000, 4, 6, [1, 2, 3, 4, 5, 6]),
            new CaptureResultMessage(7, 1, CaptureKind.Binned, 6, 0, [10, 20, 30, 40, 50, 60]),
            AckMessage.Instance,
            new NackMessage(NackReason.CrcError, 5),
            new HeartbeatMessage(123_456),
            new SetSafeMessage(0, 2048),
            new BridgeError(BridgeErrorCode.Overrun, 9, "capture overrun"),
        ];
        var seeds = messages
            .Select((m, i) => Bridge.Protocol.Frame.FromMessage(m, (ushort)i, (ushort)(i + 1), FrameFlags.AckValid))
            .Select(frame => FrameCodec.Encode(frame, FrameCodec.MaxNegotiablePayload))
            .ToArray();

        // Header (version, type, sequence, ack, flags, payload length), then the first payload fields.
        FuzzField[] header =
        [
            new(0, 1), new(1, 1), new(2, 2), new(4, 2), new(6, 1), new(7, 2), new(9, 1), new(9, 2), new(11, 2),
                new(13, 4),
            new(17, 4),
        ];
        return new FuzzTarget
        {
            Name = "bridge-frame",
            Seeds = seeds,
            Decode = DecodeWire,
            Refusals = [typeof(ProtocolException)],
            Fields = _ => header,
            Finish = (raw, random) =>
            {
                var frame = random.Next(100) < 85 ? WithBridgeCrc(raw) : raw;
                var wire = Cobs.Encode(frame);
                byte[] delimited = [.. wire, 0];
                if (random.Next(100) < 15 && delimited.Length > 0)
                {
                    // A few wire-level faults: a stray delimiter or byte inside the COBS block.
                    delimited[random.Next(delimited.Length)] = (byte)random.Next(2);
                }

                return delimited;
            },
        };
    }

    private static byte[] WithBridgeCrc(byte[] frame)
    {
        if (frame.Length >= FrameCodec.Overhead)
        {
            var body = frame.Length - FrameCodec.CrcLength;
            var crc = Edge.Bridge.Protocol.Crc32.Compute(frame, 0, body);
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(body), crc);
        }

        return frame;
    }

    private static string? DecodeWire(byte[] wire)
    {
        var receiver = new Receiver();
        var decoder = new StreamDecoder(receiver, FrameCodec.MaxNegotiablePayload);
        decoder.Push(wire, 0, wire.Length);
        foreach (var frame in receiver.Frames)
        {
            MessageCodec.Decode(frame);
        }

        return receiver.FirstProblem;
    }

    /// <summary>Collects what the stream decoder reports.</summary>
    private sealed class Receiver : IFrameReceiver
    {
        public List<Bridge.Protocol.Frame> Frames { get; } = [];

        public string? FirstProblem { get; private set; }

        public void OnFrame(Bridge.Protocol.Frame frame) => Frames.Add(frame);

        public void OnBadFrame(ProtocolError error, string description) =>
            FirstProblem ??= $"ProtocolError.{error}: {description}";
    }
}
