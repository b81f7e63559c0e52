using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.IO;
using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;

namespace Edge.Trainer.Reporting;

/// <summary>Turns a benchmark result into the JSON contract, a markdown table and a details file.</summary>
public static class BenchReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// The benchmark JSON with exactly the agreed keys: task, system, architecture, features, augment, seeds, epochs,
    /// modes (mean, per_seed),
    /// twin_predicted_insilico, twin_val_nmse, noise_floor_nmse, device_passes, wall_seconds, and the recipe.
    /// </summary>
    public static JsonObject ToJson(PatBenchmarkResult result)
    {
        var modes = new JsonObject();
        foreach (var mode in result.Options.Modes)
        {
            var perSeed = new JsonArray();
            foreach (var run in result.Of(mode))
            {
                perSeed.Add(Round(run.TestAccuracy));
            }

            modes[mode.Name()] = new JsonObject { ["mean"] = Round(result.Mean(mode)), ["per_seed"] = perSeed };
        }

        var insilico = result.Of(TrainingMode.InSilico);
        return new JsonObject
        {
            ["task"] = result.Options.Task,
            ["system"] = result.Options.System,
            ["profile"] = result.Options.Profile.Name(),
            ["architecture"] = result.Options.ResolvedArchitecture.Name(),
            ["width"] = result.Options.ResolvedArchitecture == PnnArchitecture.Wide ? result.Options.Width : null,
            ["layers"] = result.Options.ResolvedArchitecture is PnnArchitecture.Wide or PnnArchitecture.PixelDrive
                ? result.Options.Layers : null,
            ["scans"] = result.Options.ResolvedArchitecture == PnnArchitecture.PixelDrive
                ? result.Options.PixelDriveScans : null,
            ["features"] = result.Options.Features.Name(),
            ["cepstra"] = result.Options.Cepstra == BenchTasks.DefaultCepstra ? null : result.Options.Cepstra,
            ["mel_bands"] = result.Options.Speech.MelBands == SpeechTuning.Default.MelBands
                ? null : result.Options.Speech.MelBands,
            ["deltas"] = result.Options.Speech.Deltas ? true : null,
            ["vtlp"] = result.Options.Speech.Vtlp > 0 ? result.Options.Speech.Vtlp : null,
            ["noise_copies"] = result.Options.Speech.NoiseCopies > 0 ? result.Options.Speech.NoiseCopies : null,
            ["augment"] = result.Options.Augment.Name(),
            ["seeds"] = result.Options.Seeds,
            ["first_seed"] = result.Options.FirstSeed > 0 ? result.Options.FirstSeed : null,
            ["epochs"] = result.Options.Training.Epochs,
            ["schedule"] = result.Options.Training.Schedule.Name(),
            ["input_noise"] = result.Options.Training.InputNoise > 0 ? result.Options.Training.InputNoise : null,
            ["modes"] = modes,
            ["twin_predicted_insilico"] = insilico.Count > 0 ? Round(insilico.Average(r => r.TwinPredictedAccuracy))
                : null,
            ["twin_val_nmse"] = Round(result.TwinValidationNmse, 6),
            ["noise_floor_nmse"] = Round(result.NoiseFloorNmse, 6),
            ["device_passes"] = result.DevicePasses,
            ["wall_seconds"] = Round(result.WallSeconds, 2),
            [TrainingRecipeJson.BenchKey] = TrainingRecipeJson.ToNode(ShippedRecipe(result.Options)),
        };
    }

    /// <summary>
    /// The recipe a bench result records: its PAT network of its first seed (or its first mode's), the one
    /// <c>edge-trainer package --recipe</c> rebuilds from the result.
    /// </summary>
    public static TrainingRecipe ShippedRecipe(PatBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mode = options.Modes.Contains(TrainingMode.Pat) ? TrainingMode.Pat : options.Modes[0];
        return TrainingRecipe.From(options, mode, options.FirstSeed);
    }

    /// <summary>Timings and per-run details that the JSON contract has no room for.</summary>
    public static JsonObject ToDetailsJson(PatBenchmarkResult result)
    {
        var runs = new JsonArray();
        foreach (var run in result.Runs)
        {
            runs.Add(new JsonObject
            {
                ["mode"] = run.Mode.Name(),
                ["seed"] = run.Seed,
                ["test_accuracy"] = Round(run.TestAccuracy),
                ["pass_accuracies"] = new JsonArray([.. run.PassAccuracies.Select(a => (JsonNode?)Round(a))]),
                ["twin_predicted_accuracy"] = Round(run.TwinPredictedAccuracy),
                ["device_drives"] = run.DrivesSent,
                ["training_drives"] = run.TrainingDrives,
                ["training_drives_to_final"] = DrivesToFinal(run),
                ["twin_passes"] = run.TwinPasses,
                ["wall_seconds"] = Round(run.WallSeconds, 2),
                ["curve"] = new JsonArray([.. run.Curve.Select(p => (JsonNode?)new JsonObject
                {
                    ["epoch"] = p.Epoch,
                    ["train_loss"] = Round(p.TrainLoss),
                    ["train_accuracy"] = Round(p.TrainAccuracy),
                    ["test_accuracy"] = p.TestAccuracy is { } t ? Round(t) : null,
                    ["training_drives"] = p.TrainingDrives,
                })]),
            });
        }

        return new JsonObject
        {
            ["twin"] = result.TwinDescription,
            ["twin_data_drives"] = result.TwinDataDrives,
            ["twin_data_seconds"] = Round(result.DataSeconds, 2),
            ["twin_fit_seconds"] = Round(result.TwinFitSeconds, 2),
            ["threads"] = result.Options.Threads,
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            ["runs"] = runs,
        };
    }

    /// <summary>
    /// Writes the JSON contract plus the <c>run</c> block (<see cref="BenchRunInfo"/>: command, machine, timestamp) to
    /// <paramref name="path"/> and the details beside it.
    /// </summary>
    public static void Write(PatBenchmarkResult result, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var json = ToJson(result);
        json[BenchRunInfo.Key] = BenchRunInfo.DescribeCurrentProcess("host-trainer/Edge.Trainer");
        AtomicFile.WriteAllText(path, json.ToJsonString(Indented));
        AtomicFile.WriteAllText(Path.ChangeExtension(path, ".details.json"),
            ToDetailsJson(result).ToJsonString(Indented));
    }

    /// <summary>The result as a markdown table a person reads.</summary>
    public static string ToMarkdown(PatBenchmarkResult result)
    {
        var o = result.Options;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"### {o.Task} on {o.System} ({o.ResolvedArchitecture.Name()}) — {o.Seeds} seed(s), {o.Training.Epochs} "
                + $"epochs");
        text.AppendLine();
        text.Append("| mode | test accuracy (mean) |");
        for (var s = o.FirstSeed; s < o.FirstSeed + o.Seeds; s++)
        {
            text.Append(CultureInfo.InvariantCulture, $" seed {s} |");
        }

        text.AppendLine(" twin predicts | device drives | training drives | to final | twin passes | train s/seed |");
        text.Append("|---|---|");
        for (var s = 0; s < o.Seeds; s++)
        {
            text.Append("---|");
        }

        text.AppendLine("---|---|---|---|---|---|");
        foreach (var mode in o.Modes)
        {
            var runs = result.Of(mode);
            text.Append(CultureInfo.InvariantCulture, $"| {mode.Name()} | **{result.Mean(mode):P1}** |");
            foreach (var run in runs)
            {
                text.Append(CultureInfo.InvariantCulture, $" {run.TestAccuracy:P1} |");
            }

            var toFinal = runs.Select(DrivesToFinal).ToList();
            var passesToFinal = toFinal.All(d => d is not null)
                ? toFinal.Average(d => d!.Value).ToString("N0", CultureInfo.InvariantCulture)
                : "–";
            text.AppendLine(CultureInfo.InvariantCulture,
                $" {runs.Average(r => r.TwinPredictedAccuracy):P1} | {runs.Sum(r => r.DrivesSent):N0} | "
                + $"{runs.Average(r => r.TrainingDrives):N0} | {passesToFinal} | "
                + $"{runs.Average(r => r.TwinPasses):N0} | {runs.Average(r => r.WallSeconds):F1} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Twin: {result.TwinDescription}; validation NMSE {result.TwinValidationNmse:F4} against a noise floor of "
                + $"{result.NoiseFloorNmse:F4}.");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Wall time: twin data {result.DataSeconds:F1} s ({result.TwinDataDrives:N0} drives), twin fit "
                + $"{result.TwinFitSeconds:F1} s, total {result.WallSeconds:F1} s on {o.Threads} thread(s). Device "
                    + $"passes in all: {result.DevicePasses:N0}.");
        return text.ToString();
    }

    /// <summary>
    /// Training drives played up to the first curve point whose one-pass device test accuracy is within one point
    /// of the run's final accuracy (null when no curve point got there): the price of the result in device passes.
    /// </summary>
    public static long? DrivesToFinal(TrainingResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var point in run.Curve)
        {
            if (point.TestAccuracy is { } accuracy && accuracy >= run.TestAccuracy - 0.01)
            {
                return point.TrainingDrives;
            }
        }

        return null;
    }

    private static double Round(double value, int digits = 4) => Math.Round(value, digits);
}
