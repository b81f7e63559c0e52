using System.Buffers.Binary;
using Edge.Domain.Audio;
using FsCheck.Xunit;

namespace Edge.Domain.Tests.Audio;

public sealed class WavCodecTests
{
    private static readonly WavEncoding[] Encodings = Enum.GetValues<WavEncoding>();

    [Property(MaxTest = 60)]
    public void Round_trip_preserves_rate_channels_and_the_mono_mix_within_one_quantisation_step(ulong seed)
    {
        var random = new Random((int)(seed % int.MaxValue));
        var encoding = Encodings[random.Next(Encodings.Length)];
        var channels = random.Next(1, 7);
        var rate = random.Next(1000, 96_001);
        var frames = random.Next(0, 300);
        var extensible = random.Next(2) == 1;
        var interleaved = new double[frames * channels];
        for (var i = 0; i < interleaved.Length; i++)
        {
            interleaved[i] = (random.NextDouble() * 2) - 1;
        }

        var audio = WavReader.Read(WavWriter.Encode(interleaved, channels, rate, encoding, extensible));

        Assert.Equal((rate, channels, encoding, frames),
            (audio.SampleRate, audio.Channels, audio.Encoding, audio.Samples.Length));
        var step = encoding switch
        {
            WavEncoding.Pcm16 => 1.0 / 32768,
            WavEncoding.Pcm24 => 1.0 / 8388608,
            WavEncoding.Float32 => 1e-7,
            _ => 1e-9,
        };
        for (var f = 0; f < frames; f++)
        {
            var mean = 0.0;
            for (var c = 0; c < channels; c++)
            {
                mean += interleaved[(f * channels) + c] / channels;
            }

            Assert.True(Math.Abs(mean - audio.Samples[f]) <= step + 1e-6,
                $"{encoding} frame {f}: wrote {mean}, read {audio.Samples[f]}");
        }
    }

    [Fact]
    public void Unknown_chunks_and_odd_padding_are_skipped()
    {
        var plain = WavWriter.Encode([0.5, -0.25], 1, 8000, WavEncoding.Pcm16);
        var extra = new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', 3, 0, 0, 0, 1, 2, 3, 0 };
        var bytes = plain[..36].Concat(extra).Concat(plain[36..]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));

        Assert.Equal([0.5f, -0.25f], WavReader.Read(bytes).Samples);
    }

    [Fact]
    public void Eight_bit_a_law_is_rejected_by_name()
    {
        var bytes = WavWriter.Encode([0.1, 0.2], 1, 8000, WavEncoding.Pcm16);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), 6);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(32), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(34), 8);

        AssertRejected(bytes, "8-bit A-law is not supported");
    }

    [Fact]
    public void Zero_channels_are_rejected()
    {
        var bytes = WavWriter.Encode([0.1], 1, 8000, WavEncoding.Pcm16);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 0);

        AssertRejected(bytes, "declares zero channels");
    }

    [Fact]
    public void Truncated_data_chunk_is_rejected_with_the_byte_counts()
    {
        var bytes = WavWriter.Encode(new double[100], 1, 8000, WavEncoding.Pcm16);
        var cut = bytes[..^10];
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(4), (uint)(cut.Length - 8));

        AssertRejected(cut, "truncated 'data' chunk: it declares 200 bytes but only 190 remain");
        AssertRejected(bytes[..^10], "truncated: the RIFF header declares");
    }

    [Theory]
    [InlineData(0, "RIFX", "not a RIFF file (starts with 'RIFX')")]
    [InlineData(8, "AVI ", "RIFF form type is 'AVI ', not 'WAVE'")]
    [InlineData(36, "junk", "no 'data' chunk")]
    [InlineData(12, "junk", "'data' chunk comes before any 'fmt ' chunk")]
    public void Wrong_headers_and_missing_chunks_are_named(int offset, string replacement, string message)
    {
        var bytes = WavWriter.Encode([0.1, 0.2], 1, 8000, WavEncoding.Pcm16);
        System.Text.Encoding.ASCII.GetBytes(replacement).CopyTo(bytes, offset);

        AssertRejected(bytes, message);
    }

    [Fact]
    public void Short_fmt_block_align_mismatch_and_partial_frames_are_named()
    {
        var misaligned = WavWriter.Encode([0.1, 0.2], 1, 8000, WavEncoding.Pcm16);
        BinaryPrimitives.WriteUInt16LittleEndian(misaligned.AsSpan(32), 3);
        AssertRejected(misaligned, "block align 3 does not match 1 channel(s) of 16-bit samples (2)");

        var partial = WavWriter.Encode([0.1, 0.2, 0.3, 0.4], 2, 8000, WavEncoding.Pcm16);
        BinaryPrimitives.WriteUInt16LittleEndian(partial.AsSpan(22), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(partial.AsSpan(32), 6);
        AssertRejected(partial, "is not a whole number of 6-byte sample frames");

        AssertRejected([.. "RIFF"u8, 4, 0, 0, 0, .. "WAVE"u8], "no 'fmt ' chunk");
        AssertRejected("RIFF"u8.ToArray(), "too short for a RIFF/WAVE header");
    }

    [Fact]
    public void Non_finite_float_samples_are_rejected()
    {
        var bytes = WavWriter.Encode([0.5, double.NaN], 1, 8000, WavEncoding.Float32);
        AssertRejected(bytes, "sample frame 1 is not a finite number");
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-missing-{Guid.NewGuid():N}.wav");
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => WavReader.Read(path)).Message,
            StringComparison.Ordinal);
    }

    private static void AssertRejected(byte[] bytes, string message)
    {
        var error = Assert.Throws<WavFormatException>(() => WavReader.Read(bytes, "clip.wav"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("clip.wav: ", error.Message, StringComparison.Ordinal);
    }
}
