namespace Edge.Domain.Audio;

/// <summary>Sample encodings Edge reads and writes.</summary>
public enum WavEncoding
{
    /// <summary>Signed 16-bit integer PCM.</summary>
    Pcm16,

    /// <summary>Signed 24-bit integer PCM (3 bytes per sample).</summary>
    Pcm24,

    /// <summary>Signed 32-bit integer PCM.</summary>
    Pcm32,

    /// <summary>IEEE 754 single precision.</summary>
    Float32,

    /// <summary>IEEE 754 double precision.</summary>
    Float64,
}

/// <summary>Sizes of <see cref="WavEncoding"/>s.</summary>
public static class WavEncodings
{
    /// <summary>Bytes per sample of one channel.</summary>
    public static int BytesPerSample(this WavEncoding encoding) => encoding switch
    {
        WavEncoding.Pcm16 => 2,
        WavEncoding.Pcm24 => 3,
        WavEncoding.Pcm32 or WavEncoding.Float32 => 4,
        WavEncoding.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown WAV encoding."),
    };

    /// <summary>True for the IEEE float encodings.</summary>
    public static bool IsFloat(this WavEncoding encoding) => encoding is WavEncoding.Float32 or WavEncoding.Float64;
}

/// <summary>Decoded audio: the file's format and its samples mixed down to mono in [-1, 1].</summary>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Channels">Channels in the file (the samples are their mean).</param>
/// <param name="Encoding">Sample encoding in the file.</param>
/// <param name="Samples">Mono samples.</param>
public sealed record WavAudio(int SampleRate, int Channels, WavEncoding Encoding, float[] Samples)
{
    /// <summary>Duration in seconds.</summary>
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}
