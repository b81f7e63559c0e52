using System.Text.Json.Nodes;
using Edge.Trainer.Bench;

namespace Edge.Trainer.Tests.Bench;

public sealed class FrontEndBenchTests
{
    [Theory]
    [InlineData(NoiseKind.White, 20.0)]
    [InlineData(NoiseKind.White, 5.0)]
    [InlineData(NoiseKind.Pink, 10.0)]
    public void Noise_is_mixed_in_at_the_asked_snr_and_the_same_seed_gives_the_same_noise(NoiseKind kind, double snrDb)
    {
        var speech = new float[8_000];
        for (var n = 0; n < speech.Length; n++)
        {
            speech[n] = (float)(0.3 * Math.Sin(2 * Math.PI * 300 * n / 8000.0));
        }

        var mixed = new float[speech.Length];
        var again = new float[speech.Length];
        RoomNoise.Mix(speech, kind, snrDb, seed: 5, mixed);
        RoomNoise.Mix(speech, kind, snrDb, seed: 5, again);

        double signal = 0, noise = 0;
        for (var n = 0; n < speech.Length; n++)
        {
            signal += speech[n] * speech[n];
            noise += (mixed[n] - speech[n]) * (mixed[n] - speech[n]);
        }

        Assert.Equal(snrDb, 10 * Math.Log10(signal / noise), 2);
        Assert.Equal(mixed, again);
    }

    [Fact]
    public void Babble_is_the_talkers_summed_and_repeated_mixed_in_at_the_asked_snr()
    {
        var speech = new float[1_000];
        for (var n = 0; n < speech.Length; n++)
        {
            speech[n] = (float)(0.3 * Math.Sin(2 * Math.PI * 300 * n / 8000.0));
        }

        float[][] talkers = [[0.5f, -0.5f, 0.25f], [0.1f, 0.2f]];
        var mixed = new float[speech.Length];
        RoomNoise.MixBabble(speech, talkers, 10, mixed);

        double signal = 0, noise = 0;
        for (var n = 0; n < speech.Length; n++)
        {
            signal += speech[n] * speech[n];
            noise += (mixed[n] - speech[n]) * (mixed[n] - speech[n]);
        }

        Assert.Equal(10, 10 * Math.Log10(signal / noise), 2);
        var ratio = (mixed[3] - speech[3]) / (mixed[0] - speech[0]);
        Assert.Equal((0.5 + 0.2) / (0.5 + 0.1), ratio, 4);
        Assert.Throws<ArgumentException>(() => RoomNoise.Mix(speech, NoiseKind.Babble, 10, 1, mixed));
    }

    [Fact]
    public void Pink_noise_is_correlated_from_sample_to_sample_and_white_noise_is_not()
    {
        Assert.True(LagOneCorrelation(NoiseKind.Pink) > 0.5);
        Assert.InRange(LagOneCorrelation(NoiseKind.White), -0.05, 0.05);
    }

    [Fact]
    public async Task A_reduced_run_reports_every_normalisation_and_condition_in_its_table_and_json()
    {
        var options = new FrontEndBenchOptions
        {
            Normalisations = [FrontEndNormalisation.Global, FrontEndNormalisation.Device],
            Speakers = ["theo"],
            Noises = [NoiseKind.White],
            SnrDb = [10],
            Augmentations = [true],
            MaxIndex = 4,
            Epochs = 3,
        };

        var rows = await FrontEndBench.RunAsync(options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.InRange(r.Accuracy, 0, 1));
        Assert.Equal(["clean", "white 10 dB"], rows.Select(r => r.Condition).Distinct());
        var table = FrontEndBench.Table(rows);
        var header = "| normalisation | noise augmentation | clean | white 10 dB |";
        Assert.Contains(header, table, StringComparison.Ordinal);
        Assert.Contains("| device | yes |", table, StringComparison.Ordinal);
        var json = FrontEndBench.ToJson(options, rows, new JsonObject());
        Assert.Equal("frontend", (string?)json["bench"]);
        Assert.Equal(4, json["rows"]!.AsArray().Count);
    }

    private static double LagOneCorrelation(NoiseKind kind)
    {
        var silence = new float[20_000];
        silence[0] = 1; // a non-silent "speech" so the noise gets a level
        var noise = new float[silence.Length];
        RoomNoise.Mix(silence, kind, 0, seed: 9, noise);
        double product = 0, squares = 0;
        for (var n = 2; n < noise.Length; n++)
        {
            product += noise[n] * noise[n - 1];
            squares += noise[n] * noise[n];
        }

        return product / squares;
    }
}
