using System.Buffers.Binary;

namespace Edge.Domain.Audio;

/// <summary>Writes RIFF/WAVE files in any <see cref="WavEncoding"/>, plain or WAVE_FORMAT_EXTENSIBLE.</summary>
public static class WavWriter
{
    /// <summary>
    /// Encodes interleaved <paramref name="interleaved"/> samples of <paramref name="channels"/> channels; integer
    /// encodings clip to [-1, 1].
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<double> interleaved, int channels, int sampleRate, WavEncoding encoding,
        bool extensible = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (interleaved.Length % channels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples are not whole frames of {channels} channels.",
                nameof(interleaved));
        }

        var size = encoding.BytesPerSample();
        var fmtSize = extensible ? 40 : 16;
        var dataSize = interleaved.Length * size;
        var pad = dataSize & 1;
        var bytes = new byte[12 + 8 + fmtSize + 8 + dataSize + pad];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(bytes.Length - 8));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)fmtSize);
        var tag = (ushort)(encoding.IsFloat() ? 3 : 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], extensible ? (ushort)0xFFFE : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * channels * size));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * size));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)(size * 8));
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[36..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(span[38..], (ushort)(size * 8));
            BinaryPrimitives.WriteUInt32LittleEndian(span[40..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(span[44..], tag);
            ReadOnlySpan<byte> tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B,
                0x71];
            tail.CopyTo(span[46..]);
        }

        var data = 20 + fmtSize;
        "data"u8.CopyTo(span[data..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(data + 4)..], (uint)dataSize);
        for (var i = 0; i < interleaved.Length; i++)
        {
            PcmCodec.EncodeOne(interleaved[i], encoding, span.Slice(data + 8 + (i * size), size));
        }

        return bytes;
    }
}
