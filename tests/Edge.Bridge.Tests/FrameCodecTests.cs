using Edge.Bridge.Protocol;
using FsCheck.Xunit;

namespace Edge.Bridge.Tests;

public sealed class FrameCodecTests
{
    private const int MaxPayload = FrameCodec.DefaultMaxPayload;

    [Property(MaxTest = 500, Arbitrary = [typeof(BridgeArbitraries)])]
    public bool Any_message_round_trips_through_frame_and_wire(FrameCase frameCase)
    {
        var wire = FrameCodec.EncodeWire(frameCase.ToFrame(), MaxPayload);
        var frame = FrameCodec.DecodeWire(wire, MaxPayload);
        var message = MessageCodec.Decode(frame);
        return Array.IndexOf(wire, (byte)0) == wire.Length - 1
            && frame.Version == ProtocolVersion.Current
            && frame.Type == frameCase.Message.Type
            && frame.Sequence == frameCase.Sequence
            && frame.AckNumber == frameCase.AckNumber
            && frame.Flags == frameCase.Flags
            && message.GetType() == frameCase.Message.GetType()
            && message.ToPayload().AsSpan().SequenceEqual(frameCase.Message.ToPayload());
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(BridgeArbitraries)])]
    public bool Any_single_bit_flip_in_a_frame_is_detected(FrameCase frameCase, int position, int bit)
    {
        var raw = FrameCodec.Encode(frameCase.ToFrame(), MaxPayload);
        raw[(int)((uint)position % raw.Length)] ^= (byte)(1 << (int)((uint)bit % 8));
        var result = FrameCodec.TryDecode(raw, 0, raw.Length, MaxPayload);
        return result.Error == ProtocolError.CrcMismatch;
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(BridgeArbitraries)])]
    public bool Any_byte_corruption_in_a_frame_is_detected(FrameCase frameCase, int position, byte replacement)
    {
        var raw = FrameCodec.Encode(frameCase.ToFrame(), MaxPayload);
        var index = (int)((uint)position % raw.Length);
        if (raw[index] == replacement)
        {
            replacement ^= 0xA5;
        }

        raw[index] = replacement;
        return FrameCodec.TryDecode(raw, 0, raw.Length, MaxPayload).Error == ProtocolError.CrcMismatch;
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(BridgeArbitraries)])]
    public bool Any_corrupted_wire_byte_yields_no_frame_only_an_error_report(FrameCase frameCase, int position,
        byte replacement)
    {
        var wire = FrameCodec.EncodeWire(frameCase.ToFrame(), MaxPayload);
        var index = (int)((uint)position % wire.Length);
        if (wire[index] == replacement)
        {
            replacement ^= 0x5A;
        }

        wire[index] = replacement;
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        decoder.Push(wire, 0, wire.Length);
        decoder.Push([0], 0, 1);
        return receiver.Frames.Count == 0 && receiver.Errors.Count >= 1;
    }

    [Fact]
    public void Worked_example_in_PROTOCOL_md_matches_the_encoder()
    {
        // SetSafe(channel 0, code 0x0800), sequence 1, ack 0, Sync flag — the example the spec walks through.
        var frame = Frame.FromMessage(new SetSafeMessage(0, 0x0800), 1, 0, FrameFlags.Sync);
        byte[] expectedRaw = [0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x08, 0x92, 0x53, 0xC2,
            0xB1];
        byte[] expectedWire = [0x04, 0x01, 0x08, 0x01, 0x01, 0x01, 0x03, 0x02, 0x03, 0x01, 0x01, 0x06, 0x08, 0x92, 0x53,
            0xC2, 0xB1, 0x00];

        Assert.Equal(0xB1C25392u, Crc32.Compute(expectedRaw, 0, 12));
        Assert.Equal(expectedRaw, FrameCodec.Encode(frame, MaxPayload));
        Assert.Equal(expectedWire, FrameCodec.EncodeWire(frame, MaxPayload));
        var decoded = (SetSafeMessage)MessageCodec.Decode(FrameCodec.DecodeWire(expectedWire, MaxPayload));
        Assert.Equal(0x0800, decoded.Code);
    }

    [Fact]
    public void Encoding_an_oversize_payload_names_length_and_limit()
    {
        var codes = new ushort[143];
        var message = new PlayAndCaptureMessage(1, 0, 0, 1000, 1, 0, codes);
        var error = Assert.Throws<ProtocolException>(()
            => FrameCodec.EncodeWire(Frame.FromMessage(message, 0, 0, FrameFlags.None), MaxPayload));
        Assert.Equal(ProtocolError.PayloadTooLarge, error.Error);
        Assert.Equal("payload length 300 exceeds max 256", error.Message);
    }

    [Fact]
    public void Decoding_a_payload_length_above_the_limit_names_length_and_limit()
    {
        var frame = new Frame(ProtocolVersion.Current, MessageType.Error, 0, 0, FrameFlags.None, new byte[300]);
        var raw = FrameCodec.Encode(frame, 1024);
        var error = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(raw, 0, raw.Length, MaxPayload));
        Assert.Equal(ProtocolError.PayloadTooLarge, error.Error);
        Assert.Equal("payload length 300 exceeds max 256", error.Message);
    }

    [Fact]
    public void Truncated_frames_are_reported_as_truncated_or_crc_mismatch()
    {
        var raw = FrameCodec.Encode(Frame.FromMessage(new HeartbeatMessage(42), 0, 0, FrameFlags.None), MaxPayload);
        for (var length = 0; length < raw.Length; length++)
        {
            var result = FrameCodec.TryDecode(raw, 0, length, MaxPayload);
            Assert.False(result.IsSuccess);
            if (length < FrameCodec.Overhead)
            {
                Assert.Equal(ProtocolError.Truncated, result.Error);
                Assert.Contains($"frame is {length} bytes, shorter than the 13-byte header and CRC", result.Description,
                    StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(ProtocolError.CrcMismatch, result.Error);
            }
        }
    }

    [Fact]
    public void A_length_field_that_disagrees_with_the_bytes_is_rejected_even_with_a_valid_crc()
    {
        var raw = FrameCodec.Encode(Frame.FromMessage(new HeartbeatMessage(7), 0, 0, FrameFlags.None), MaxPayload);
        raw[7] = 5;
        Reseal(raw);
        var error = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(raw, 0, raw.Length, MaxPayload));
        Assert.Equal(ProtocolError.LengthMismatch, error.Error);
        Assert.Equal("payload length field says 5 bytes but the frame carries 4", error.Message);
    }

    [Fact]
    public void A_wrong_version_is_rejected_with_both_versions_named()
    {
        var raw = FrameCodec.Encode(new Frame(2, MessageType.Ack, 0, 0, FrameFlags.None, []), MaxPayload);
        var error = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(raw, 0, raw.Length, MaxPayload));
        Assert.Equal(ProtocolError.WrongVersion, error.Error);
        Assert.Equal("frame version 2, expected 1", error.Message);
    }

    [Fact]
    public void An_unknown_type_is_rejected_with_the_type_named()
    {
        var raw = FrameCodec.Encode(new Frame(ProtocolVersion.Current, (MessageType)0x42, 0, 0, FrameFlags.None, []),
            MaxPayload);
        var error = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(raw, 0, raw.Length, MaxPayload));
        Assert.Equal(ProtocolError.UnknownType, error.Error);
        Assert.Equal("unknown message type 0x42", error.Message);
        var direct = Assert.Throws<ProtocolException>(() => MessageCodec.Decode((MessageType)0, [], 0, 0));
        Assert.Equal("unknown message type 0x00", direct.Message);
    }

    [Fact]
    public void A_corrupted_crc_is_reported_with_both_values()
    {
        var raw = FrameCodec.Encode(Frame.FromMessage(AckMessage.Instance, 0, 9, FrameFlags.AckValid), MaxPayload);
        raw[^1] ^= 0xFF;
        var result = FrameCodec.TryDecode(raw, 0, raw.Length, MaxPayload);
        Assert.Equal(ProtocolError.CrcMismatch, result.Error);
        Assert.StartsWith("CRC mismatch: frame says 0x", result.Description, StringComparison.Ordinal);
    }

    private static void Reseal(byte[] raw)
    {
        var bodyLength = raw.Length - FrameCodec.CrcLength;
        LittleEndian.WriteUInt32(raw, bodyLength, Crc32.Compute(raw, 0, bodyLength));
    }
}
