using Edge.Domain.Audio;
using FsCheck.Xunit;

namespace Edge.Domain.Tests.Audio;

public sealed class NormalisedPoolingTests
{
    private static readonly AudioFeatureOptions Normalised = new() { CepstralMeanNormalisation = true, Deltas = true };

    [Property(MaxTest = 25)]
    public void Normalised_vector_does_not_change_with_the_recording_gain(ulong seed)
    {
        var random = new Random((int)(seed % int.MaxValue));
        var word = Word(random);
        var gain = (float)Math.Exp((random.NextDouble() * 4) - 2);
        var louder = new float[word.Length];
        for (var i = 0; i < word.Length; i++)
        {
            louder[i] = word[i] * gain;
        }

        var frontEnd = new AudioFrontEnd(Normalised);
        var reference = new float[Normalised.VectorLength];
        var scaled = new float[Normalised.VectorLength];
        frontEnd.Encode(word, 8000, reference);
        frontEnd.Encode(louder, 8000, scaled);

        // A gain adds log(g²) to every log-mel band, which the DCT puts into c0 only; the mean subtraction removes it.
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(reference[i] - scaled[i]) < 2e-3 * (1 + Math.Abs(reference[i])),
                $"value {i}: {reference[i]} at gain 1, {scaled[i]} at gain {gain}");
        }

        // Without normalisation c0's segment means move with the gain: the property above is the feature's doing.
        var plain = new AudioFrontEnd(new AudioFeatureOptions());
        var plainReference = new float[plain.Options.VectorLength];
        var plainScaled = new float[plain.Options.VectorLength];
        plain.Encode(word, 8000, plainReference);
        plain.Encode(louder, 8000, plainScaled);
        Assert.True(Math.Abs(gain - 1) < 0.05 || Math.Abs(plainReference[0] - plainScaled[0]) > 0.05);
    }

    [Fact]
    public void Mean_normalised_segments_average_to_zero_over_the_utterance()
    {
        var options = new AudioFeatureOptions { CepstralMeanNormalisation = true };
        var frontEnd = new AudioFrontEnd(options);
        var vector = new float[options.VectorLength];
        frontEnd.Encode(Word(new Random(4)), 8000, vector);
        var (start, end) = UtteranceEncoder.TrimSilence(frontEnd.Frames, options.TrimBelowPeakDb);
        var count = end - start;
        var coefficients = options.CepstralCoefficients;

        Assert.Equal((options.PooledSegments + 1) * coefficients, options.VectorLength);
        for (var c = 0; c < coefficients; c++)
        {
            var weighted = 0.0;
            for (var s = 0; s < options.PooledSegments; s++)
            {
                var frames = ((s + 1) * count / options.PooledSegments) - (s * count / options.PooledSegments);
                weighted += frames * vector[(s * coefficients) + c];
            }

            Assert.True(Math.Abs(weighted / count) < 1e-3,
                $"coefficient {c}: weighted segment mean {weighted / count}");
        }
    }

    [Fact]
    public void Delta_of_a_linear_trajectory_is_its_slope_and_edges_repeat_the_end_frames()
    {
        var frames = new FeatureFrames(melBands: 2, coefficients: 3);
        for (var t = 0; t < 10; t++)
        {
            frames.Add([0f, 0f], [t * 1f, t * -2f, 5f], 0);
        }

        Span<float> delta = stackalloc float[3];
        NormalisedPooling.Delta(frames, 5, 0, 10, delta);
        Assert.Equal([1f, -2f, 0f], delta.ToArray());

        // At the first frame the earlier neighbours are the first frame itself: (1·1 + 2·2) / 10 of the slope.
        NormalisedPooling.Delta(frames, 0, 0, 10, delta);
        Assert.Equal(0.5f, delta[0], 1e-6f);
    }

    [Fact]
    public void Deltas_lengthen_the_vector_and_a_wrong_destination_or_range_is_named()
    {
        Assert.Equal(((2 * 6) + 1) * 13, Normalised.VectorLength);
        var frames = new FeatureFrames(2, 13);
        frames.Add(new float[2], new float[13], 0);
        Assert.Contains("destination 5", Assert.Throws<ArgumentException>(()
            => NormalisedPooling.Encode(frames, Normalised, 0, 1, new float[5])).Message, StringComparison.Ordinal);
        Assert.Contains("not a non-empty range", Assert.Throws<ArgumentException>(()
            => NormalisedPooling.Encode(frames, Normalised, 0, 3, new float[Normalised.VectorLength])).Message,
                StringComparison.Ordinal);
    }

    // A vowel-like word: a gliding harmonic tone with a decaying envelope over a faint noise floor.
    private static float[] Word(Random random)
    {
        var samples = new float[4000 + random.Next(2000)];
        var f0 = 100 + (random.NextDouble() * 150);
        var glide = (random.NextDouble() * 400) - 200;
        for (var n = 0; n < samples.Length; n++)
        {
            var t = (double)n / 8000;
            var envelope = Math.Sin(Math.PI * n / samples.Length);
            var phase = 2 * Math.PI * ((f0 * t) + (glide * t * t));
            var tone = Math.Sin(phase) + (0.5 * Math.Sin(3 * phase)) + (0.25 * Math.Sin(7 * phase));
            samples[n] = (float)((0.3 * envelope * tone) + (0.01 * ((random.NextDouble() * 2) - 1)));
        }

        return samples;
    }
}
