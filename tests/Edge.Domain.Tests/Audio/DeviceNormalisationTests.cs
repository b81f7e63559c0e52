using Edge.Domain.Audio;
using Edge.Domain.Simulation;

namespace Edge.Domain.Tests.Audio;

/// <summary>The label-free normalisations the agent runs: per-utterance CMVN, running per-device statistics.</summary>
public sealed class DeviceNormalisationTests
{
    [Fact]
    public void Running_statistics_start_from_the_prior_and_move_by_one_over_warm_up_plus_one()
    {
        var statistics = new DeviceFeatureStatistics([1f, -2f], [2f, 0.5f], window: 100, warmUp: 9);
        var vector = new float[] { 3f, -1f };
        var copy = (float[])vector.Clone();
        statistics.Standardise(copy);
        Assert.Equal([1f, 2f], copy);

        statistics.Observe(vector);

        Assert.Equal(1 + (2 / 10.0), statistics.Mean(0), 6);
        Assert.Equal(-2 + (1 / 10.0), statistics.Mean(1), 6);
        Assert.Equal(1, statistics.Observed);
        Assert.False(statistics.WarmedUp);
    }

    [Fact]
    public void Running_statistics_converge_on_the_device_and_forget_the_previous_speaker_within_a_few_windows()
    {
        const int Window = 50;
        var statistics = new DeviceFeatureStatistics([0f, 0f, 0f], [1f, 1f, 1f], Window, warmUp: 10);
        var random = new NoiseSource(7);
        Feed(statistics, random, mean: [5, -3, 0.5], deviation: [2, 0.1, 1], count: 400);
        AssertNear(statistics, [5, -3, 0.5], [2, 0.1, 1]);

        // A new speaker (or room) takes over: after four windows the old one weighs e⁻⁴ ≈ 2 %.
        Feed(statistics, random, mean: [-1, 2, 0], deviation: [1, 1, 3], count: 4 * Window);
        AssertNear(statistics, [-1, 2, 0], [1, 1, 3]);
        Assert.True(statistics.WarmedUp);
    }

    [Fact]
    public void Standardised_vectors_of_a_warmed_up_device_have_zero_mean_and_unit_deviation()
    {
        var statistics = new DeviceFeatureStatistics([0f, 0f], [1f, 1f], window: 200, warmUp: 10);
        var random = new NoiseSource(11);
        Feed(statistics, random, mean: [40, -7], deviation: [6, 0.3], count: 1_000);
        double sum = 0, squares = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var vector = new[]
            {
                (float)(40 + (6 * random.NextGaussian())), (float)(-7 + (0.3 * random.NextGaussian())),
            };
            statistics.Standardise(vector);
            sum += vector[0];
            squares += vector[0] * vector[0];
        }

        Assert.InRange(sum / 2_000, -0.25, 0.25);
        Assert.InRange(Math.Sqrt(squares / 2_000), 0.8, 1.2);
    }

    [Fact]
    public void Vectors_of_another_length_and_bad_priors_are_refused()
    {
        var statistics = new DeviceFeatureStatistics([0f, 0f], [1f, 1f], window: 10, warmUp: 2);
        Assert.Throws<ArgumentException>(() => statistics.Observe(new float[3]));
        Assert.Throws<ArgumentException>(() => statistics.Standardise(new float[1]));
        Assert.Throws<ArgumentException>(() => new DeviceFeatureStatistics([0f], [1f, 1f], 10, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceFeatureStatistics([0f], [1f], 0, 2));
    }

    [Fact]
    public void Variance_normalised_segments_are_the_mean_normalised_ones_over_the_utterance_deviation()
    {
        var meanOnly = new AudioFeatureOptions { CepstralMeanNormalisation = true };
        var cmvn = meanOnly with { CepstralVarianceNormalisation = true };
        var word = Word(3);
        var plain = new float[meanOnly.VectorLength];
        var normalised = new float[cmvn.VectorLength];
        new AudioFrontEnd(meanOnly).Encode(word, 8000, plain);
        new AudioFrontEnd(cmvn).Encode(word, 8000, normalised);

        var coefficients = cmvn.CepstralCoefficients;
        var deviation = plain.AsSpan(cmvn.PooledSegments * coefficients, coefficients);
        Assert.True(deviation.ToArray().All(d => d > 0.05f), "the test word's coefficients vary");
        for (var i = 0; i < cmvn.PooledSegments * coefficients; i++)
        {
            var expected = plain[i] / deviation[i % coefficients];
            Assert.True(Math.Abs(normalised[i] - expected) < 1e-4 * (1 + Math.Abs(expected)), $"value {i}");
        }

        // The deviation tail is kept as it was: the raw spread still tells words apart.
        Assert.Equal(deviation.ToArray(), normalised[^coefficients..]);
    }

    [Fact]
    public void Variance_normalisation_without_mean_normalisation_and_bad_windows_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new AudioFeatureOptions { CepstralVarianceNormalisation = true }.Validate());
        Assert.Contains("CepstralVarianceNormalisation", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(
            () => new AudioFeatureOptions { DeviceStatisticsWindow = -1 }.Validate());
        Assert.Contains("DeviceStatisticsWindow", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(
            () => new AudioFeatureOptions { DeviceStatisticsWarmUp = 0 }.Validate());
        Assert.Contains("DeviceStatisticsWarmUp", error.Message, StringComparison.Ordinal);
    }

    private static void Feed(
        DeviceFeatureStatistics statistics, NoiseSource random, double[] mean, double[] deviation, int count)
    {
        var vector = new float[mean.Length];
        for (var i = 0; i < count; i++)
        {
            for (var f = 0; f < vector.Length; f++)
            {
                vector[f] = (float)(mean[f] + (deviation[f] * random.NextGaussian()));
            }

            statistics.Observe(vector);
        }
    }

    private static void AssertNear(DeviceFeatureStatistics statistics, double[] mean, double[] deviation)
    {
        for (var f = 0; f < mean.Length; f++)
        {
            Assert.True(
                Math.Abs(statistics.Mean(f) - mean[f]) < 0.5 * deviation[f],
                $"feature {f}: mean {statistics.Mean(f)}, expected {mean[f]}");
            Assert.InRange(statistics.Scale(f) / deviation[f], 0.7, 1.35);
        }
    }

    private static float[] Word(int seed)
    {
        var random = new Random(seed);
        var samples = new float[4800];
        for (var n = 0; n < samples.Length; n++)
        {
            var t = (double)n / 8000;
            var envelope = Math.Sin(Math.PI * n / samples.Length);
            var phase = 2 * Math.PI * ((140 * t) + (150 * t * t));
            var tone = Math.Sin(phase) + (0.5 * Math.Sin(3 * phase)) + (0.25 * Math.Sin(7 * phase));
            samples[n] = (float)((0.3 * envelope * tone) + (0.01 * ((random.NextDouble() * 2) - 1)));
        }

        return samples;
    }
}
