using System.Text.Json.Nodes;
using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Recipes;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Trainer.Tests.Recipes;

public sealed class TrainingRecipeTests
{
    private static readonly string[] Tasks = ["vowels", "mnist", "fsdd", "fsdd-loso-george", "fsdd-waveform"];

    [Fact]
    public void Any_recipe_survives_a_json_round_trip_unchanged()
    {
        var recipes =
            from task in Gen.Elements(Tasks)
            from system in Gen.Elements("electronic", "mechanical", "optical", "duffing")
            from architecture in Gen.Elements("auto", "standard", "wide", "pixel-drive")
            from width in Gen.Choose(1, 32)
            from layers in Gen.Choose(1, 4)
            from scans in Gen.Choose(1, 4)
            from features in Gen.Elements("mfcc", "speaker", "normalised")
            from cepstra in Gen.Choose(1, 26)
            from augment in Gen.Elements("none", "speed", "voices", "shift")
            from noise in Gen.Choose(0, 2_000).Select(n => n / 1000.0)
            from schedule in Gen.Elements("constant", "cosine")
            from epochs in Gen.Choose(1, 500)
            from rate in Gen.Choose(1, 999).Select(r => r / 10_000.0)
            from mode in Gen.Elements("pat", "insilico", "ideal", "pat-refine", "digital")
            from seed in Gen.Choose(0, 1_000)
            from twin in Gen.Elements("mlp", "graybox")
            from samples in Gen.Choose(1, 50_000)
            from profile in Gen.Elements("lab", "field")
            from melBands in Gen.Choose(26, SpeechTuning.MaxMelBands)
            from deltas in Gen.Elements(false, true)
            from vtlp in Gen.Choose(0, SpeechTuning.MaxVtlpCopies)
            from noisy in Gen.Choose(0, SpeechTuning.MaxNoiseCopies)
            select Resolve(new TrainingRecipe
            {
                MelBands = melBands, Deltas = deltas, Vtlp = TrainingRecipe.IsAudioTask(task) ? vtlp : 0,
                NoiseCopies = TrainingRecipe.IsAudioTask(task) && augment == "voices" ? noisy : 0,
                Task = task, System = system, Architecture = architecture, Width = width, Layers = layers,
                Scans = scans, Features = features, Cepstra = cepstra, Augment = augment, InputNoise = noise,
                Schedule = schedule, Epochs = epochs, LearningRate = rate, Mode = mode, Seed = seed, Twin = twin,
                TwinSamples = samples, Part = $"part-{seed}", Profile = profile,
            });
        Prop.ForAll(recipes.ToArbitrary(), recipe =>
            TrainingRecipeJson.Parse(TrainingRecipeJson.Serialize(recipe)) == recipe).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_json_names_every_field_in_snake_case_and_the_audio_front_end_in_full()
    {
        var json = JsonNode.Parse(TrainingRecipeJson.Serialize(Resolve(new TrainingRecipe { Task = "fsdd" })))!;

        Assert.Equal(1, json["version"]!.GetValue<int>());
        Assert.Equal("pat", json["mode"]!.GetValue<string>());
        Assert.Equal(13, json["front_end"]!["cepstral_coefficients"]!.GetValue<int>());
        Assert.Null(json["training_mode"]);
        Assert.Null(JsonNode.Parse(TrainingRecipeJson.Serialize(new TrainingRecipe()))!["front_end"]);
    }

    [Theory]
    [InlineData("\"colour\": \"red\"", "colour")]
    [InlineData("\"epochs\": 3", "epochs")]
    [InlineData("\"mode\": \"backprop\"", "mode")]
    [InlineData("\"version\": 2", "version")]
    [InlineData("\"profile\": \"bench\"", "profile")]
    [InlineData("\"learning_rate\": 1.5", "learning_rate")]
    [InlineData("\"front_end\": null, \"task\": \"fsdd\"", "front_end")]
    public void A_bad_recipe_is_refused_naming_the_field(string member, string field)
    {
        var text = TrainingRecipeJson.Serialize(new TrainingRecipe()).TrimEnd().TrimEnd('}') + ", " + member + "}";

        var error = Assert.Throws<InvalidDataException>(() => TrainingRecipeJson.Parse(text, "r.json"));

        Assert.StartsWith("r.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recipe_carries_the_backprop_free_and_refine_settings_into_training()
    {
        var options = new PatBenchmarkOptions
        {
            System = "mechanical", Modes = [TrainingMode.Zo],
            Training = new TrainingOptions
            {
                FeedbackScale = 2.5, PerturbationDirections = 3, PerturbationSize = 0.4,
                PerturbationLearningRate = 0.05, RefineLearningRate = 1e-3,
            },
        };

        var recipe = TrainingRecipeJson.Parse(
            TrainingRecipeJson.Serialize(TrainingRecipe.From(options, TrainingMode.Zo, seed: 0)));
        var training = recipe.ToBenchOptions(1).Training;

        Assert.Equal((2.5, 3, 0.4, 0.05, 1e-3), (training.FeedbackScale, training.PerturbationDirections,
            training.PerturbationSize, training.PerturbationLearningRate, training.RefineLearningRate));
        Assert.StartsWith("recipe 'feedback_scale'", Assert.Throws<ArgumentException>(()
            => (recipe with { FeedbackScale = 0 }).Validate()).Message, StringComparison.Ordinal);
        Assert.StartsWith("recipe 'perturbation'", Assert.Throws<ArgumentException>(()
            => (recipe with { Perturbation = 1.5 }).Validate()).Message, StringComparison.Ordinal);
        var older = JsonNode.Parse(TrainingRecipeJson.Serialize(new TrainingRecipe()))!.AsObject();
        older.Remove("feedback_scale");
        older.Remove("directions");
        Assert.Equal(BackpropFreeSettings.Tuned.FeedbackScale,
            TrainingRecipeJson.Parse(older.ToJsonString()).FeedbackScale);
    }

    [Fact]
    public void Mel_bands_and_deltas_reach_the_shipped_front_end_and_vtlp_stays_in_training()
    {
        var options = new PatBenchmarkOptions
        {
            Task = "fsdd-loso-george", Features = FsddFeatures.DeviceNormalised, Cepstra = 8,
            Speech = new SpeechTuning { MelBands = 40, Deltas = true, Vtlp = 2 }, Modes = [TrainingMode.Pat],
        };

        var recipe = BenchReport.ShippedRecipe(options);
        var json = JsonNode.Parse(TrainingRecipeJson.Serialize(recipe))!;

        Assert.Equal((40, true, 2), (recipe.MelBands, recipe.Deltas, recipe.Vtlp));
        Assert.Equal((40, true, 8), (recipe.FrontEnd!.MelBands, recipe.FrontEnd.Deltas,
            recipe.FrontEnd.CepstralCoefficients));
        Assert.Equal(2 * 6 * 8 + 8, recipe.FrontEnd.VectorLength);
        Assert.Equal(2, json["vtlp"]!.GetValue<int>());
        Assert.Equal(options.Speech, recipe.ToBenchOptions(1).Speech);
        var error = Assert.Throws<ArgumentException>(() => (recipe with { MelBands = 26 }).Validate());
        Assert.Contains("front_end", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("recipe 'mel_bands'", Assert.Throws<ArgumentException>(()
            => (recipe with { MelBands = 200 }).Validate()).Message, StringComparison.Ordinal);
        Assert.StartsWith("recipe 'vtlp'", Assert.Throws<ArgumentException>(()
            => (recipe with { Vtlp = 9 }).Validate()).Message, StringComparison.Ordinal);
        Assert.StartsWith("recipe 'vtlp'", Assert.Throws<ArgumentException>(()
            => new TrainingRecipe { Vtlp = 1 }.Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Room_noise_copies_go_from_bench_options_to_the_recipe_and_need_synthetic_voices()
    {
        var options = new PatBenchmarkOptions
        {
            Task = "fsdd-loso-george", Features = FsddFeatures.DeviceNormalised, Augment = Augmentation.Voices,
            Speech = new SpeechTuning { NoiseCopies = 2 }, Modes = [TrainingMode.Pat],
        };

        var recipe = BenchReport.ShippedRecipe(options);

        Assert.Equal(2, recipe.NoiseCopies);
        Assert.Equal(2, JsonNode.Parse(TrainingRecipeJson.Serialize(recipe))!["noise_copies"]!.GetValue<int>());
        Assert.Equal(options.Speech, recipe.ToBenchOptions(1).Speech);
        Assert.StartsWith("recipe 'noise_copies'", Assert.Throws<ArgumentException>(()
            => (recipe with { NoiseCopies = 4 }).Validate()).Message, StringComparison.Ordinal);
        var alone = Assert.Throws<ArgumentException>(() => (recipe with { Augment = "none" }).Validate());
        Assert.Contains("needs augment 'voices'", alone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_profile_bench_ships_a_field_recipe_that_trains_on_a_field_part()
    {
        var options = new PatBenchmarkOptions { Profile = DeviceProfile.Field, Modes = [TrainingMode.Pat] };

        var recipe = BenchReport.ShippedRecipe(options);

        Assert.Equal("field", recipe.Profile);
        Assert.Equal(DeviceProfile.Field, recipe.ToBenchOptions(1).Profile);
        var device = new TrainingPipeline(recipe, 1).CreateDevice(1);
        Assert.Equal(FieldProfiles.Electronic, device.Imperfections.Field);
        var lab = new TrainingPipeline(recipe with { Profile = "lab" }, 1).CreateDevice(1);
        Assert.Null(lab.Imperfections.Field);
        Assert.Equal(lab.Imperfections, PhysicalSystems.Get("electronic").DefaultImperfections);
    }

    [Fact]
    public void A_bench_result_carries_the_recipe_of_its_pat_network_of_seed_0()
    {
        var options = new PatBenchmarkOptions
        {
            Task = "fsdd", Architecture = PnnArchitecture.Wide, Width = 16, Layers = 1, Cepstra = 8,
            Modes = [TrainingMode.InSilico, TrainingMode.Pat], Training = new TrainingOptions { Epochs = 7 },
        };

        var recipe = BenchReport.ShippedRecipe(options);

        Assert.Equal(("pat", 0, "wide", 16, 1, 8, 7), (recipe.Mode, recipe.Seed, recipe.Architecture, recipe.Width,
            recipe.Layers, recipe.Cepstra, recipe.Epochs));
        Assert.Equal(8, recipe.FrontEnd!.CepstralCoefficients);
        var rebuilt = recipe.ToBenchOptions(options.Threads);
        Assert.Equal([TrainingMode.Pat], rebuilt.Modes);
        Assert.Equal(
            (options.Task, options.Architecture, options.Width, options.Layers, options.Cepstra, options.Training),
            (rebuilt.Task, rebuilt.Architecture, rebuilt.Width, rebuilt.Layers, rebuilt.Cepstra, rebuilt.Training));
        Assert.Equal(options.TwinData, rebuilt.TwinData);
    }

    [Fact]
    public void Every_committed_bench_result_yields_the_recipe_of_its_recorded_arguments()
    {
        var root = DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("run inside the repository");
        var results = Directory.GetFiles(Path.Combine(root, "docs", "bench-data"), "*.json")
            .Where(f => !f.EndsWith(".details.json", StringComparison.Ordinal))
            .Where(f => JsonNode.Parse(File.ReadAllText(f)) is JsonObject o && o.ContainsKey("modes")
                && o.ContainsKey("twin_val_nmse"))
            .ToList();
        Assert.NotEmpty(results);
        foreach (var file in results)
        {
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var recipe = TrainingRecipeJson.Load(file);

            // Older results record fewer keys; every key a result has must agree with its recipe.
            var recorded = new Dictionary<string, string>
            {
                ["task"] = recipe.Task,
                ["architecture"] = recipe.ResolvedArchitecture.Name(),
                ["epochs"] = recipe.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["features"] = recipe.Features,
                ["augment"] = recipe.Augment,
                ["schedule"] = recipe.Schedule,
            };
            foreach (var (key, value) in recorded)
            {
                if (json[key] is { } node)
                {
                    Assert.True(node.ToString() == value, $"{Path.GetFileName(file)}: {key} {node} vs recipe {value}");
                }
            }
        }
    }

    [Theory]
    [InlineData(null, "edge-sim-0001")]
    [InlineData("2026-12-06T22:28:14Z", "edge-sim-0001")]
    [InlineData("2026-12-07T16:12:22Z", "sim-0001")]
    public void A_result_without_recipe_is_rebuilt_on_the_part_the_bench_then_trained_on(string? time, string part)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        var run = new JsonObject { ["arguments"] = new JsonArray("bench", "pat", "--task", "vowels") };
        if (time is not null)
        {
            run["timestamp_utc"] = time;
        }

        File.WriteAllText(path, new JsonObject { ["task"] = "vowels", ["modes"] = new JsonObject(), ["run"] = run }
            .ToJsonString());
        try
        {
            Assert.Equal(part, TrainingRecipeJson.Load(path).Part);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_bench_result_without_recipe_or_arguments_is_refused_saying_so()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"task\": \"vowels\", \"modes\": {}}");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => TrainingRecipeJson.Load(path));
            Assert.Contains("neither a 'recipe' nor the 'run.arguments'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_pixel_drive_recipe_is_refused_for_packaging_naming_the_layer_no_agent_hosts()
    {
        var pipeline = new TrainingPipeline(new TrainingRecipe { Task = "mnist" }, threads: 1);

        var error = Assert.Throws<ArgumentException>(pipeline.EnsureShippable);

        Assert.Contains("'electronic-pixels'", error.Message, StringComparison.Ordinal);
        Assert.Contains("--architecture wide", error.Message, StringComparison.Ordinal);
        new TrainingPipeline(new TrainingRecipe { Task = "mnist", Architecture = "wide" }, 1).EnsureShippable();
    }

    [Fact]
    public void A_speaker_normalised_recipe_is_refused_for_packaging_saying_why()
    {
        var recipe = new TrainingRecipe { Task = "fsdd", Features = "speaker" };
        var pipeline = new TrainingPipeline(recipe with { FrontEnd = recipe.ResolvedFrontEnd() }, threads: 1);

        var error = Assert.Throws<ArgumentException>(() => pipeline.AudioInput());

        Assert.Contains("recipe 'features': 'speaker'", error.Message, StringComparison.Ordinal);
    }

    private static TrainingRecipe Resolve(TrainingRecipe recipe)
        => recipe with { FrontEnd = recipe.ResolvedFrontEnd() };
}
