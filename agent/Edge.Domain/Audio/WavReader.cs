using System.Buffers.Binary;

namespace Edge.Domain.Audio;

/// <summary>
/// Reads RIFF/WAVE files: PCM 16/24/32-bit and IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE, any channel count
/// (mixed down to mono) and any rate. Anything else gets a <see cref="WavFormatException"/> naming the problem.
/// </summary>
public static class WavReader
{
    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatALaw = 6;
    private const ushort FormatMuLaw = 7;
    private const ushort FormatExtensible = 0xFFFE;

    // Bytes 2..15 of the KSDATAFORMAT_SUBTYPE GUIDs; bytes 0..1 carry the format tag.
    private static ReadOnlySpan<byte> SubFormatTail
        => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Reads a WAV file; a missing file raises <see cref="FileNotFoundException"/>.</summary>
    public static WavAudio Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"WAV file '{path}' does not exist.", path);
        }

        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> prefixes error messages.</summary>
    public static WavAudio Read(ReadOnlySpan<byte> data, string name = "WAV data")
    {
        if (data.Length < 12)
        {
            throw new
                WavFormatException($"{name}: {data.Length} bytes is too short for a RIFF/WAVE header (12 bytes).");
        }

        if (!data[..4].SequenceEqual("RIFF"u8))
        {
            throw new WavFormatException($"{name}: not a RIFF file (starts with '{Ascii(data[..4])}').");
        }

        if (!data.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException($"{name}: RIFF form type is '{Ascii(data.Slice(8, 4))}', not 'WAVE'.");
        }

        var riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (riffEnd > data.Length)
        {
            throw new
                WavFormatException($"{name}: truncated: the RIFF header declares {riffEnd} bytes but the file has "
                    + $"{data.Length}.");
        }

        Format? format = null;
        var offset = 12;
        while (offset + 8 <= riffEnd)
        {
            var id = data.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            var body = offset + 8;
            if (body + (long)size > riffEnd)
            {
                throw new
                    WavFormatException($"{name}: truncated '{Ascii(id)}' chunk: it declares {size} bytes but only "
                        + $"{riffEnd - body} remain.");
            }

            var chunk = data.Slice(body, (int)size);
            if (id.SequenceEqual("fmt "u8))
            {
                format = ParseFormat(chunk, name);
            }
            else if (id.SequenceEqual("data"u8))
            {
                return format is { } f
                    ? Decode(chunk, f, name)
                    : throw new WavFormatException($"{name}: the 'data' chunk comes before any 'fmt ' chunk.");
            }

            // Chunks are word aligned: an odd size is followed by one pad byte.
            offset = body + (int)size + (int)(size & 1);
        }

        throw new WavFormatException(format is null ? $"{name}: no 'fmt ' chunk." : $"{name}: no 'data' chunk.");
    }

    private static Format ParseFormat(ReadOnlySpan<byte> chunk, string name)
    {
        if (chunk.Length < 16)
        {
            throw new WavFormatException($"{name}: 'fmt ' chunk is {chunk.Length} bytes, needs at least 16.");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(chunk[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]);
        if (tag == FormatExtensible)
        {
            if (chunk.Length < 40)
            {
                throw new
                    WavFormatException($"{name}: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is {chunk.Length} bytes, needs "
                        + "40.");
            }

            var subFormat = chunk.Slice(24, 16);
            if (!subFormat[2..].SequenceEqual(SubFormatTail))
            {
                throw new
                    WavFormatException($"{name}: WAVE_FORMAT_EXTENSIBLE sub-format {Convert.ToHexString(subFormat)} is "
                        + "not a standard KSDATAFORMAT_SUBTYPE.");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(subFormat);
        }

        if (channels == 0)
        {
            throw new WavFormatException($"{name}: the 'fmt ' chunk declares zero channels.");
        }

        if (rate == 0 || rate > 1_000_000)
        {
            throw new WavFormatException($"{name}: sample rate {rate} Hz is out of range (1..1000000).");
        }

        var encoding = (tag, bits) switch
        {
            (FormatPcm, 16) => WavEncoding.Pcm16,
            (FormatPcm, 24) => WavEncoding.Pcm24,
            (FormatPcm, 32) => WavEncoding.Pcm32,
            (FormatFloat, 32) => WavEncoding.Float32,
            (FormatFloat, 64) => WavEncoding.Float64,
            (FormatALaw, _)
                => throw new
                    WavFormatException($"{name}: {bits}-bit A-law is not supported (PCM 16/24/32-bit or IEEE float "
                        + "32/64 only)."),
            (FormatMuLaw, _)
                => throw new
                    WavFormatException($"{name}: {bits}-bit mu-law is not supported (PCM 16/24/32-bit or IEEE float "
                        + "32/64 only)."),
            (FormatPcm, _)
                => throw new WavFormatException($"{name}: {bits}-bit PCM is not supported (16, 24 or 32 bits)."),
            (FormatFloat, _)
                => throw new WavFormatException($"{name}: {bits}-bit IEEE float is not supported (32 or 64 bits)."),
            _ => throw new
                WavFormatException($"{name}: format tag 0x{tag:X4} is not supported (PCM or IEEE float only)."),
        };
        if (blockAlign != channels * encoding.BytesPerSample())
        {
            throw new
                WavFormatException($"{name}: block align {blockAlign} does not match {channels} channel(s) of "
                    + $"{bits}-bit samples ({channels * encoding.BytesPerSample()}).");
        }

        return new Format((int)rate, channels, encoding);
    }

    private static WavAudio Decode(ReadOnlySpan<byte> chunk, Format format, string name)
    {
        var frameBytes = format.Channels * format.Encoding.BytesPerSample();
        if (chunk.Length % frameBytes != 0)
        {
            throw new
                WavFormatException($"{name}: 'data' chunk of {chunk.Length} bytes is not a whole number of "
                    + $"{frameBytes}-byte sample frames.");
        }

        var frames = chunk.Length / frameBytes;
        var mono = new float[frames];
        PcmCodec.DecodeToMono(chunk, format.Encoding, format.Channels, mono);
        for (var i = 0; i < mono.Length; i++)
        {
            if (!float.IsFinite(mono[i]))
            {
                throw new WavFormatException($"{name}: sample frame {i} is not a finite number.");
            }
        }

        return new WavAudio(format.SampleRate, format.Channels, format.Encoding, mono);
    }

    private static string Ascii(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        }

        return new string(chars);
    }

    private readonly record struct Format(int SampleRate, int Channels, WavEncoding Encoding);
}
