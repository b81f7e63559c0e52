using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;

namespace Edge.Trainer.Tests.Live;

public sealed class ProbeDriftTests
{
    private const int Classes = 3;
    private const int Count = 200;

    private static readonly LabelledSet Probes =
        new(new float[Count], [.. Enumerable.Range(0, Count).Select(i => i % Classes)], 1);

    /// <summary>
    /// Logits: the label wins by <paramref name="margin"/> for all but the first <paramref name="wrong"/> probes,
    /// plus noise.
    /// </summary>
    private static float[] Logits(int wrong, float margin, double noise, NoiseSource random)
    {
        var logits = new float[Count * Classes];
        for (var p = 0; p < Count; p++)
        {
            var label = Probes.Labels[p];
            var winner = p < wrong ? (label + 1) % Classes : label;
            for (var c = 0; c < Classes; c++)
            {
                logits[(p * Classes) + c] = (c == winner ? margin : 0) + (float)(noise * random.NextGaussian());
            }
        }

        return logits;
    }

    [Fact]
    public void Noise_alone_never_fires_however_noisy_or_quiet_the_part_is()
    {
        var random = new NoiseSource(1);
        foreach (var noise in new[] { 0.05, 0.4, 0.01 })
        {
            var drift = new ProbeDrift(Probes, Classes, new ProbeDriftOptions());
            drift.SetReference(Logits(wrong: 10, margin: 1, noise: 0.4, random));
            for (var check = 0; check < 20; check++)
            {
                var score = drift.Add(Logits(wrong: 10, margin: 1, noise, random));
                Assert.False(score.Drifted, $"noise {noise}, check {check}: drop {score.Drop:P1}, z {score.Z:F2}");
            }
        }
    }

    [Fact]
    public void A_systematic_loss_of_three_points_fires_within_the_window_and_a_gain_never_does()
    {
        var random = new NoiseSource(2);
        var drift = new ProbeDrift(Probes, Classes, new ProbeDriftOptions { Window = 4 });
        drift.SetReference(Logits(wrong: 10, margin: 1, noise: 0.2, random));
        var fired = Enumerable.Range(1, 4)
            .First(_ => drift.Add(Logits(wrong: 16, margin: 1, noise: 0.2, random)).Drifted);
        Assert.InRange(fired, 1, 4);

        drift.SetReference(Logits(wrong: 16, margin: 1, noise: 0.2, random));
        for (var check = 0; check < 8; check++)
        {
            var better = drift.Add(Logits(wrong: 4, margin: 1, noise: 0.2, random));
            Assert.False(better.Drifted);
            Assert.True(better.Drop < 0);
        }
    }

    [Fact]
    public void Scoring_before_a_reference_or_with_the_wrong_shape_is_refused_in_plain_words()
    {
        var drift = new ProbeDrift(Probes, Classes, new ProbeDriftOptions());
        var error = Assert.Throws<InvalidOperationException>(() => drift.Add(new float[Count * Classes]));
        Assert.Contains("No reference yet", error.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ArgumentException>(() => drift.SetReference(new float[5]));
        var expected = "Expected 200 probes × 3 classes = 600 logits, got 5";
        Assert.Contains(expected, shape.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ProbeDriftOptions { Window = 0 }.Validate());
    }
}
