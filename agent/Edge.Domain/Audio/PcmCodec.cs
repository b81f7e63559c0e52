using System.Buffers.Binary;

namespace Edge.Domain.Audio;

/// <summary>Interleaved little-endian sample bytes to and from floats in [-1, 1].</summary>
public static class PcmCodec
{
    /// <summary>
    /// Decodes whole interleaved frames of <paramref name="channels"/> channels into their per-frame mean;
    /// <paramref name="mono"/> must hold one value per frame.
    /// </summary>
    public static void DecodeToMono(ReadOnlySpan<byte> bytes, WavEncoding encoding, int channels, Span<float> mono)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var size = encoding.BytesPerSample();
        var frames = bytes.Length / (size * channels);
        ArgumentOutOfRangeException.ThrowIfLessThan(mono.Length, frames);
        var scale = 1f / channels;
        for (var frame = 0; frame < frames; frame++)
        {
            var sum = 0.0;
            var at = frame * size * channels;
            for (var c = 0; c < channels; c++, at += size)
            {
                sum += DecodeOne(bytes.Slice(at, size), encoding);
            }

            mono[frame] = (float)sum * scale;
        }
    }

    /// <summary>Encodes one sample (clipped to [-1, 1] for integer encodings) into <paramref
    /// name="destination"/>.</summary>
    public static void EncodeOne(double value, WavEncoding encoding, Span<byte> destination)
    {
        switch (encoding)
        {
            case WavEncoding.Pcm16:
                BinaryPrimitives.WriteInt16LittleEndian(destination,
                    (short)Quantise(value, 32768.0, short.MinValue, short.MaxValue));
                break;
            case WavEncoding.Pcm24:
                var v24 = (int)Quantise(value, 8388608.0, -8388608, 8388607);
                destination[0] = (byte)v24;
                destination[1] = (byte)(v24 >> 8);
                destination[2] = (byte)(v24 >> 16);
                break;
            case WavEncoding.Pcm32:
                BinaryPrimitives.WriteInt32LittleEndian(destination,
                    (int)Quantise(value, 2147483648.0, int.MinValue, int.MaxValue));
                break;
            case WavEncoding.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value);
                break;
            case WavEncoding.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown WAV encoding.");
        }
    }

    /// <summary>Decodes one sample.</summary>
    public static double DecodeOne(ReadOnlySpan<byte> source, WavEncoding encoding) => encoding switch
    {
        WavEncoding.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(source) / 32768.0,
        WavEncoding.Pcm24 => ((source[0] | (source[1] << 8) | (source[2] << 16)) << 8 >> 8) / 8388608.0,
        WavEncoding.Pcm32 => BinaryPrimitives.ReadInt32LittleEndian(source) / 2147483648.0,
        WavEncoding.Float32 => BinaryPrimitives.ReadSingleLittleEndian(source),
        WavEncoding.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(source),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown WAV encoding."),
    };

    private static long Quantise(double value, double fullScale, long min, long max)
        => Math.Clamp((long)Math.Round(value * fullScale), min, max);
}
