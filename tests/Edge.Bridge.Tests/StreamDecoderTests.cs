using Edge.Bridge.Protocol;
using FsCheck.Xunit;

namespace Edge.Bridge.Tests;

public sealed class StreamDecoderTests
{
    private const int MaxPayload = FrameCodec.DefaultMaxPayload;

    private static readonly byte[] FirstWire = FrameCodec.EncodeWire(Frame.FromMessage(new SetSafeMessage(0, 0x0800), 1,
        0, FrameFlags.Sync), MaxPayload);
    private static readonly byte[] SecondWire = FrameCodec.EncodeWire(
        Frame.FromMessage(new PlayAndCaptureMessage(7, 0, 1, 1_000_000, 10, 4, [0, 0x1000, 0xFFFF, 0x0100]), 2, 0,
            FrameFlags.None),
        MaxPayload);

    [Fact]
    public void Two_frames_split_at_every_position_are_both_decoded()
    {
        var stream = Concat(FirstWire, SecondWire);
        for (var split = 0; split <= stream.Length; split++)
        {
            var receiver = new RecordingReceiver();
            var decoder = new StreamDecoder(receiver, MaxPayload);
            decoder.Push(stream, 0, split);
            decoder.Push(stream, split, stream.Length - split);
            Assert.Equal(2, receiver.Frames.Count);
            Assert.Equal(MessageType.SetSafe, receiver.Frames[0].Type);
            Assert.Equal(MessageType.PlayAndCapture, receiver.Frames[1].Type);
            Assert.Empty(receiver.Errors);
        }
    }

    [Fact]
    public void Byte_at_a_time_delivery_decodes_every_frame()
    {
        var stream = Concat(FirstWire, SecondWire, FirstWire);
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        for (var i = 0; i < stream.Length; i++)
        {
            decoder.Push(stream, i, 1);
        }

        Assert.Equal(3, receiver.Frames.Count);
        Assert.Equal(3, decoder.FramesDecoded);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(BridgeArbitraries)])]
    public bool Frames_after_arbitrary_garbage_and_a_delimiter_are_all_decoded(byte[] garbage, FrameCase first,
        FrameCase second, int seed)
    {
        var stream = Concat(garbage, [0], FrameCodec.EncodeWire(first.ToFrame(), MaxPayload),
            FrameCodec.EncodeWire(second.ToFrame(), MaxPayload));
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        PushInRandomChunks(decoder, stream, new Random(seed));
        return receiver.Frames.Count == 2
            && receiver.Frames[0].Sequence == first.Sequence
            && receiver.Frames[1].Sequence == second.Sequence
            && receiver.Frames[1].Payload.AsSpan().SequenceEqual(second.Message.ToPayload());
    }

    [Property(MaxTest = 500)]
    public bool Arbitrary_bytes_never_throw_and_every_bad_block_is_reported(byte[] noise)
    {
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        decoder.Push(noise, 0, noise.Length);
        decoder.Push([0], 0, 1);
        var reported = decoder.CrcFailures + decoder.CobsFailures + decoder.OversizeBlocks + decoder.OtherFailures;
        return reported == receiver.Errors.Count && receiver.Frames.Count == decoder.FramesDecoded;
    }

    [Fact]
    public void Garbage_without_delimiter_longer_than_a_frame_is_discarded_then_decoding_resumes()
    {
        var garbage = new byte[2000];
        Array.Fill(garbage, (byte)0x55);
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        decoder.Push(garbage, 0, garbage.Length);
        decoder.Push([0], 0, 1);
        decoder.Push(FirstWire, 0, FirstWire.Length);

        Assert.Single(receiver.Frames);
        var error = Assert.Single(receiver.Errors);
        Assert.Equal(ProtocolError.FrameTooLong, error.Error);
        Assert.Equal(1, decoder.OversizeBlocks);
    }

    [Fact]
    public void A_frame_cut_mid_way_costs_only_itself_and_the_frame_it_runs_into()
    {
        var stream = Concat(FirstWire.AsSpan(0, 6).ToArray(), SecondWire, FirstWire);
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        decoder.Push(stream, 0, stream.Length);

        var frame = Assert.Single(receiver.Frames);
        Assert.Equal(MessageType.SetSafe, frame.Type);
        Assert.Single(receiver.Errors);
    }

    [Fact]
    public void Crc_failures_are_counted_and_idle_delimiters_are_ignored()
    {
        var corrupted = (byte[])FirstWire.Clone();
        corrupted[^2] ^= 0x01;
        var stream = Concat([0, 0, 0], corrupted, [0, 0], FirstWire, corrupted);
        var receiver = new RecordingReceiver();
        var decoder = new StreamDecoder(receiver, MaxPayload);
        decoder.Push(stream, 0, stream.Length);

        Assert.Equal(2, decoder.CrcFailures);
        Assert.Equal(1, decoder.FramesDecoded);
        Assert.All(receiver.Errors, e => Assert.Equal(ProtocolError.CrcMismatch, e.Error));
    }

    private static void PushInRandomChunks(StreamDecoder decoder, byte[] stream, Random random)
    {
        var position = 0;
        while (position < stream.Length)
        {
            var chunk = Math.Min(random.Next(1, 40), stream.Length - position);
            decoder.Push(stream, position, chunk);
            position += chunk;
        }
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var result = new List<byte>();
        foreach (var part in parts)
        {
            result.AddRange(part);
        }

        return [.. result];
    }
}
