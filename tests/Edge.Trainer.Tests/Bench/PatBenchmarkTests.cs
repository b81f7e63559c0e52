using System.Text.Json.Nodes;
using Edge.Trainer.Bench;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Tests.Bench;

/// <summary>The whole loop on the reference device at reduced size: data, twin, four modes, report.</summary>
public sealed class PatBenchmarkTests : IClassFixture<PatBenchmarkTests.SmallRun>
{
    private readonly PatBenchmarkResult _result;

    public PatBenchmarkTests(SmallRun run) => _result = run.Result;

    [Fact]
    public void Every_mode_learns_well_above_chance_through_the_device()
    {
        foreach (var mode in _result.Options.Modes)
        {
            Assert.True(_result.Mean(mode) > 0.4,
                $"{mode.Name()} reached only {_result.Mean(mode):P1} (chance is 14 %)");
        }
    }

    [Fact]
    public void Pat_uses_the_device_in_training_and_in_silico_only_to_evaluate()
    {
        var insilico = _result.Of(TrainingMode.InSilico)[0];
        var pat = _result.Of(TrainingMode.Pat)[0];
        var training = _result.Options.Training;
        var evaluationPasses = training.EvaluationPasses + 1 + (training.Epochs / training.CurveEvery);
        Assert.Equal(2L * 49 * evaluationPasses, insilico.DrivesSent);
        Assert.True(pat.DrivesSent >= 2L * 210 * _result.Options.Training.Epochs,
            $"PAT played only {pat.DrivesSent} drives");
        Assert.Equal(pat.DrivesSent, _result.Of(TrainingMode.PatRefine)[0].DrivesSent);
    }

    [Fact]
    public void Json_has_exactly_the_agreed_keys()
    {
        var json = BenchReport.ToJson(_result);
        Assert.Equal(
            ["task", "system", "profile", "architecture", "width", "layers", "scans", "features", "cepstra",
                "mel_bands", "deltas", "vtlp", "noise_copies", "augment", "seeds", "first_seed", "epochs", "schedule",
                "input_noise", "modes", "twin_predicted_insilico", "twin_val_nmse", "noise_floor_nmse", "device_passes",
                "wall_seconds", "recipe"],
            json.Select(p => p.Key));
        var modes = json["modes"]!.AsObject();
        Assert.Equal(["insilico", "pat", "ideal", "pat-refine"], modes.Select(p => p.Key));
        foreach (var (_, mode) in modes)
        {
            Assert.Equal(["mean", "per_seed"], mode!.AsObject().Select(p => p.Key));
            Assert.Single(mode["per_seed"]!.AsArray());
            Assert.InRange(mode["mean"]!.GetValue<double>(), 0, 1);
        }

        Assert.Equal("duffing", json["system"]!.GetValue<string>());
        Assert.Equal(_result.DevicePasses, json["device_passes"]!.GetValue<long>());
    }

    [Fact]
    public void Report_files_and_plots_are_written()
    {
        var folder = Directory.CreateTempSubdirectory("edge-bench-");
        try
        {
            var path = Path.Combine(folder.FullName, "out.json");
            BenchReport.Write(_result, path);
            Assert.NotNull(JsonNode.Parse(File.ReadAllText(path))!["modes"]);
            Assert.NotNull(JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(path, ".details.json")))!["runs"]);
            var plots = Plots.WriteAll(_result, Path.Combine(folder.FullName, "plots"), Plots.Stem(_result, path),
                ["ae", "ah", "aw", "uw", "er", "iy", "ih"]);
            Assert.Equal(3 + _result.Options.Modes.Count, plots.Count);
            Assert.All(plots, p => Assert.True(new FileInfo(p).Length > 5_000, $"{p} looks empty"));
            var markdown = BenchReport.ToMarkdown(_result);
            Assert.Contains("| pat |", markdown, StringComparison.Ordinal);
            Assert.Contains("noise floor", markdown, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Two_runs_of_one_task_system_and_profile_keep_their_own_plots()
    {
        var full = Plots.Stem(_result, "docs/bench-data/vowels-mechanical-field.json");
        var zo = Plots.Stem(_result, "docs/bench-data/vowels-mechanical-field-zo.json");

        Assert.Equal("vowels-mechanical-field", full);
        Assert.Equal("vowels-duffing", Plots.Stem(_result, null));
        Assert.True(Plots.IsPlotOf("vowels-mechanical-field-passes.png", full));
        Assert.True(Plots.IsPlotOf("vowels-mechanical-field-confusion-pat-refine.png", full));
        Assert.False(Plots.IsPlotOf("vowels-mechanical-field-zo-passes.png", full));
        Assert.True(Plots.IsPlotOf("vowels-mechanical-field-zo-passes.png", zo));
        Assert.False(Plots.IsPlotOf("vowels-mechanical-field-curves.png", "vowels-mechanical"));
    }

    public sealed class SmallRun : IAsyncLifetime
    {
        public PatBenchmarkResult Result { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var options = new PatBenchmarkOptions
            {
                System = "duffing",
                Seeds = 1,
                Modes = [TrainingMode.InSilico, TrainingMode.Pat, TrainingMode.Ideal, TrainingMode.PatRefine],
                TwinData = new TwinDataOptions { Samples = 3_000, NoiseFloorSamples = 300 },
                MlpTwin = new MlpTwinOptions { Epochs = 12, Hidden = [128, 128] },
                Training = new TrainingOptions { Epochs = 30, LearningRate = 0.04, EvaluationPasses = 2,
                    CurveEvery = 10 },
                Threads = 2,
            };
            Result = await PatBenchmark.RunAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
