using Edge.Bridge.Protocol;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Bridge.Tests;

/// <summary>A message in a frame, as the property tests see it on the wire.</summary>
public sealed record FrameCase(Message Message, ushort Sequence, ushort AckNumber, FrameFlags Flags)
{
    public Frame ToFrame() => Frame.FromMessage(Message, Sequence, AckNumber, Flags);

    public override string ToString()
        => $"{Message.Type} seq {Sequence} ack {AckNumber} flags {Flags} payload {Message.PayloadLength} B";
}

/// <summary>FsCheck generators of valid messages of every type (payloads up to the default 256-byte limit).</summary>
public static class BridgeArbitraries
{
    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);
    private static readonly Gen<ushort> AnyUShort = Gen.Choose(0, 65535).Select(i => (ushort)i);
    private static readonly Gen<uint> AnyUInt =
        from high in AnyUShort
        from low in AnyUShort
        select ((uint)high << 16) | low;

    public static Gen<Message> AnyMessage { get; } = Gen.OneOf(
        Hello(), HelloAck(), PlayAndCapture(), CaptureResult(), Gen.Constant<Message>(AckMessage.Instance), Nack(),
            Heartbeat(), SetSafe(), Error());

    public static Arbitrary<Message> Messages() => AnyMessage.ToArbitrary();

    public static Arbitrary<FrameCase> FrameCases() =>
        (from message in AnyMessage
         from sequence in AnyUShort
         from ack in AnyUShort
         from flags in Gen.Choose(0, 3)
         select new FrameCase(message, sequence, ack, (FrameFlags)flags)).ToArbitrary();

    private static Gen<Message> Hello() =>
        from min in Gen.Choose(1, 5)
        from max in Gen.Choose(min, 10)
        from payload in Gen.Choose(FrameCodec.MinNegotiablePayload, FrameCodec.MaxNegotiablePayload)
        from caps in Gen.Choose(0, 7)
        select (Message)new HelloMessage((byte)min, (byte)max, (ushort)payload, (Capabilities)caps);

    private static Gen<Message> HelloAck() =>
        from version in Gen.Choose(1, 255)
        from dac in Gen.Choose(1, 255)
        from adc in Gen.Choose(1, 255)
        from dacBits in Gen.Choose(1, 16)
        from adcBits in Gen.Choose(1, 16)
        from rate in AnyUInt.Where(r => r > 0)
        from buffer in AnyUInt.Where(b => b > 0)
        from payload in Gen.Choose(FrameCodec.MinNegotiablePayload, FrameCodec.MaxNegotiablePayload)
        from caps in Gen.Choose(0, 7)
        select (Message)new HelloAckMessage((byte)version, (byte)dac, (byte)adc, (byte)dacBits, (byte)adcBits, rate,
            buffer, (ushort)payload, (Capabilities)caps);

    private static Gen<Message> PlayAndCapture() =>
        from segments in Gen.Choose(1, (FrameCodec.DefaultMaxPayload - PlayAndCaptureMessage.HeaderLength) / 2)
        from samplesPerSegment in Gen.Choose(1, 64)
        from binCount in Gen.Elements(BinChoices(segments * samplesPerSegment))
        from codes in Gen.ArrayOf(AnyUShort, segments)
        from id in AnyUShort
        from drive in AnyByte
        from capture in AnyByte
        from rate in AnyUInt.Where(r => r > 0)
        select (Message)new PlayAndCaptureMessage(id, drive, capture, rate, (ushort)samplesPerSegment, (ushort)binCount,
            codes);

    private static Gen<Message> CaptureResult() =>
        from count in Gen.Choose(1, (FrameCodec.DefaultMaxPayload - CaptureResultMessage.HeaderLength) / 2)
        from values in Gen.ArrayOf(AnyUShort, count)
        from first in Gen.Choose(0, 100_000)
        from extra in Gen.Choose(0, 100_000)
        from id in AnyUShort
        from channel in AnyByte
        from kind in Gen.Elements(CaptureKind.Binned, CaptureKind.Raw)
        select (Message)new CaptureResultMessage(id, channel, kind, (uint)(first + count + extra), (uint)first, values);

    private static Gen<Message> Nack() =>
        from reason in Gen.Choose(1, 7)
        from detail in AnyUShort
        select (Message)new NackMessage((NackReason)reason, detail);

    private static Gen<Message> Heartbeat() => AnyUInt.Select(uptime => (Message)new HeartbeatMessage(uptime));

    private static Gen<Message> SetSafe() =>
        from channel in AnyByte
        from code in AnyUShort
        select (Message)new SetSafeMessage(channel, code);

    private static Gen<Message> Error() =>
        from code in Gen.Choose(1, 4)
        from related in AnyUShort
        from characters in Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(c => (char)c))
            .Where(c => c.Length <= ErrorMessage.MaxTextLength)
        select (Message)new ErrorMessage((BridgeErrorCode)code, related, new string(characters));

    private static int[] BinChoices(int totalSamples)
    {
        var choices = new List<int> { 0 };
        for (var bins = 1; bins <= Math.Min(totalSamples, 65535); bins++)
        {
            if (totalSamples % bins == 0)
            {
                choices.Add(bins);
            }
        }

        return [.. choices];
    }
}
