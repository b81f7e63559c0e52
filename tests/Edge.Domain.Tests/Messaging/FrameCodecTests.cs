using Edge.Domain.Messaging;
using FsCheck;
using FsCheck.Xunit;

namespace Edge.Domain.Tests.Messaging;

/// <summary>Round trips and corruption of every binary Edge payload.</summary>
public sealed class FrameCodecTests
{
    [Property(MaxTest = 200)]
    public void Measurement_batches_round_trip(byte count, byte inputSize, PositiveInt driveLength,
        PositiveInt outputSize, int seed)
    {
        var batch = Batch(count, inputSize % 16, (driveLength.Get % 40) + 1, (outputSize.Get % 20) + 1, seed);
        var decoded = MeasurementBatch.Decode(batch.Encode());
        Assert.Equal(batch.Ids, decoded.Ids);
        Assert.Equal(batch.Timestamps, decoded.Timestamps);
        Assert.Equal(batch.Inputs, decoded.Inputs);
        Assert.Equal(batch.Drives, decoded.Drives);
        Assert.Equal(batch.Responses, decoded.Responses);
        Assert.Equal((batch.InputSize, batch.DriveLength, batch.OutputSize),
            (decoded.InputSize, decoded.DriveLength, decoded.OutputSize));
    }

    [Property(MaxTest = 300)]
    public void Any_single_bit_flip_in_a_measurement_batch_is_rejected(int seed, int position)
    {
        var frame = Batch(1 + (Math.Abs(seed) % 8), 2, 3, 2, seed).Encode();
        var bit = (int)((uint)position % (uint)(frame.Length * 8));
        frame[bit / 8] ^= (byte)(1 << (bit % 8));
        Assert.Throws<MessageFormatException>(() => MeasurementBatch.Decode(frame));
    }

    [Property(MaxTest = 200)]
    public void Any_truncation_of_a_frame_is_rejected(int seed, PositiveInt cut)
    {
        var frames = new[]
        {
            Batch(3, 1, 4, 2, seed).Encode(),
            PatFrames.EncodeRequest(Values(8, seed), 4),
            PatFrames.EncodeReply(Values(6, seed), 3),
            new ModelOffer(Guid.NewGuid(), Bytes(10, seed)).Encode(),
        };
        foreach (var frame in frames)
        {
            var shorter = frame[..(frame.Length - 1 - (cut.Get % frame.Length))];
            Assert.Throws<MessageFormatException>(() => Decode((char)frame[1], shorter));
        }
    }

    [Property(MaxTest = 500)]
    public void Random_bytes_never_escape_as_anything_but_a_format_error(byte[] payload)
    {
        foreach (var kind in "MDRO")
        {
            try
            {
                Decode(kind, payload);
            }
            catch (MessageFormatException)
            {
                // Expected for nearly every input; what matters is that nothing else is thrown.
            }
        }
    }

    [Property(MaxTest = 200)]
    public void Pat_requests_and_replies_round_trip(PositiveInt rows, PositiveInt width, int seed)
    {
        var (n, w) = ((rows.Get % 50) + 1, (width.Get % 30) + 1);
        var drives = Values(n * w, seed);
        Assert.Equal(drives, PatFrames.DecodeRequest(PatFrames.EncodeRequest(drives, w), out var driveLength));
        Assert.Equal(w, driveLength);
        var responses = new float[n * w];
        Assert.Null(PatFrames.DecodeReply(PatFrames.EncodeReply(drives, w), responses, w));
        Assert.Equal(drives, responses);
    }

    [Fact]
    public void A_pat_refusal_carries_its_reason_and_a_reply_of_the_wrong_shape_is_named()
    {
        Assert.Equal("device busy", PatFrames.DecodeReply(PatFrames.EncodeErrorReply("device busy"), new float[4], 2));
        var error = Assert.Throws<MessageFormatException>(()
            => PatFrames.DecodeReply(PatFrames.EncodeReply(new float[6], 3), new float[4], 2));
        Assert.Contains("output size 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_drives_are_rejected_naming_the_value()
    {
        var frame = PatFrames.EncodeRequest([1f, float.PositiveInfinity, 0f, 0f], 2);
        var error = Assert.Throws<MessageFormatException>(() => PatFrames.DecodeRequest(frame, out _));
        Assert.Contains("drive value 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_claiming_more_records_than_present_is_rejected_before_allocating()
    {
        var frame = Batch(2, 1, 2, 1, 5).Encode();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 1_000_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(frame.Length - 4),
            System.IO.Hashing.Crc32.HashToUInt32(frame.AsSpan(0, frame.Length - 4)));
        var error = Assert.Throws<MessageFormatException>(() => MeasurementBatch.Decode(frame));
        Assert.Contains("1000000 records", error.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 100)]
    public void Model_offers_round_trip(NonEmptyArray<byte> package)
    {
        var offer = new ModelOffer(Guid.NewGuid(), package.Get);
        var decoded = ModelOffer.Decode(offer.Encode());
        Assert.Equal(offer.OfferId, decoded.OfferId);
        Assert.Equal(package.Get, decoded.Package.ToArray());
    }

    [Fact]
    public void A_decoded_offer_is_a_slice_of_the_frame_not_a_copy()
    {
        var frame = new ModelOffer(Guid.NewGuid(), new byte[] { 1, 2, 3, 4 }).Encode();

        var decoded = ModelOffer.Decode(frame);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(decoded.Package, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(24, segment.Offset);
        Assert.Equal([1, 2, 3, 4], decoded.Package.ToArray());
    }

    private static void Decode(char kind, byte[] frame)
    {
        switch (kind)
        {
            case 'M': _ = MeasurementBatch.Decode(frame); break;
            case 'D': _ = PatFrames.DecodeRequest(frame, out _); break;
            case 'R': _ = PatFrames.DecodeReply(frame, new float[6], 3); break;
            default: _ = ModelOffer.Decode(frame); break;
        }
    }

    internal static MeasurementBatch Batch(int count, int inputSize, int driveLength, int outputSize, int seed)
    {
        var random = new Random(seed);
        var ids = new Guid[count];
        var timestamps = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = Guid.NewGuid();
            timestamps[i] = random.NextInt64();
        }

        return new MeasurementBatch(inputSize, driveLength, outputSize, ids, timestamps,
            Values(count * inputSize, seed + 1), Values(count * driveLength, seed + 2),
                Values(count * outputSize, seed + 3));
    }

    private static float[] Values(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 7)));
        }

        return values;
    }

    private static byte[] Bytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
