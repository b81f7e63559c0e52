using Edge.Domain.Audio;

namespace Edge.Domain.Tests.Audio;

public sealed class FrontEndTests
{
    private static readonly AudioFeatureOptions Options = new();

    [Fact]
    public void Silence_around_a_word_is_trimmed_so_the_vector_barely_changes()
    {
        // A faint noise floor everywhere, as in a recording: a pure chirp alone leaves mel bands at the log floor.
        var noise = new Random(3);
        var padded = new float[3200 + 8000];
        for (var i = 0; i < padded.Length; i++)
        {
            padded[i] = (float)(1e-3 * ((noise.NextDouble() * 2) - 1));
        }

        var chirp = Chirp(8000, 0.4);
        for (var i = 0; i < chirp.Length; i++)
        {
            padded[4000 + i] += chirp[i];
        }

        var word = padded[4000..7200];

        var frontEnd = new AudioFrontEnd(Options);
        var bare = new float[Options.VectorLength];
        frontEnd.Encode(word, 8000, bare);
        var withSilence = new float[Options.VectorLength];
        frontEnd.Encode(padded, 8000, withSilence);
        var (start, end) = UtteranceEncoder.TrimSilence(frontEnd.Frames, Options.TrimBelowPeakDb);

        // 4000 samples of silence are 50 hops; the kept span is the word's ~38 frames.
        Assert.InRange(start, 46, 52);
        Assert.InRange(end - start, 34, 42);
        var untrimmed = new float[Options.VectorLength];
        new AudioFrontEnd(Options with { TrimBelowPeakDb = 300 }).Encode(padded, 8000, untrimmed);

        // Trimmed, the padded word lands near the bare word; without trimming the silence dominates the pooled
        // segments.
        var trimmedDistance = Distance(bare, withSilence);
        var untrimmedDistance = Distance(bare, untrimmed);
        Assert.True(trimmedDistance < 0.3 * untrimmedDistance,
            $"trimmed {trimmedDistance}, untrimmed {untrimmedDistance}");
    }

    private static double Distance(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }

        return Math.Sqrt(sum);
    }

    [Fact]
    public void Streaming_blocks_at_another_rate_give_the_same_vector_as_one_call()
    {
        var word = Chirp(16000, 0.5);
        var frontEnd = new AudioFrontEnd(Options);
        var once = new float[Options.VectorLength];
        frontEnd.Encode(word, 16000, once);

        var streamed = new float[Options.VectorLength];
        frontEnd.BeginUtterance(16000);
        for (var at = 0; at < word.Length; at += 333)
        {
            frontEnd.Push(word.AsSpan(at, Math.Min(333, word.Length - at)));
        }

        frontEnd.EndUtterance(streamed);
        Assert.Equal(once, streamed);
        Assert.All(once, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Different_sounds_give_different_vectors()
    {
        var frontEnd = new AudioFrontEnd(Options);
        var low = new float[Options.VectorLength];
        var high = new float[Options.VectorLength];
        frontEnd.Encode(Tone(8000, 300, 0.4), 8000, low);
        frontEnd.Encode(Tone(8000, 2500, 0.4), 8000, high);
        var distance = 0.0;
        for (var i = 0; i < low.Length; i++)
        {
            distance += (low[i] - high[i]) * (low[i] - high[i]);
        }

        Assert.True(distance > 10, $"distance {distance}");
    }

    [Fact]
    public void Too_short_files_and_bad_options_are_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-short-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, WavWriter.Encode(new double[50], 1, 8000, WavEncoding.Pcm16));
        try
        {
            var error = Assert.Throws<WavFormatException>(() => new AudioFrontEnd(Options).EncodeFile(path));
            Assert.Contains("shorter than one analysis frame", error.Message, StringComparison.Ordinal);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Contains("FftSize 100", Assert.Throws<ArgumentException>(() => new AudioFrontEnd(Options with { FftSize =
            100 })).Message, StringComparison.Ordinal);
        Assert.Contains("Mel range", Assert.Throws<ArgumentException>(() => new AudioFrontEnd(Options with { MelHighHz =
            6000 })).Message, StringComparison.Ordinal);
    }

    internal static float[] Tone(int rate, double hz, double seconds)
    {
        var samples = new float[(int)(rate * seconds)];
        for (var n = 0; n < samples.Length; n++)
        {
            samples[n] = (float)(0.5 * Math.Sin(2 * Math.PI * hz * n / rate));
        }

        return samples;
    }

    private static float[] Chirp(int rate, double seconds)
    {
        var samples = new float[(int)(rate * seconds)];
        for (var n = 0; n < samples.Length; n++)
        {
            var t = (double)n / rate;
            samples[n] = (float)(0.5 * Math.Sin(2 * Math.PI * ((300 * t) + (2000 * t * t))));
        }

        return samples;
    }
}
