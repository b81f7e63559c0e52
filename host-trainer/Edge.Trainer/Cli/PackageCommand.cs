using System.CommandLine;
using Edge.Domain.Data;
using Edge.Domain.IO;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>package</c>: trains a PNN by a recipe — the <c>bench pat</c> options, or <c>--recipe FILE</c> (a recipe or a
/// bench result JSON) — through <see cref="TrainingPipeline"/>, and writes it as a signed model package with its
/// digital
/// stages and twin in ONNX and its recipe. For FSDD tasks the package also carries the audio front end and the
/// standardisation, so agents classify WAV files and live sound with it.
/// </summary>
internal static class PackageCommand
{
    public static Command Create()
    {
        var recipeOptions = new RecipeOptions();
        var recipeFile = new Option<FileInfo?>("--recipe")
        {
            Description = "Train exactly this recipe: a recipe JSON, a package's recipe.json or a bench result JSON "
                + "(docs/bench-data/); the recipe options above cannot be combined with it.",
        };
        var mode = new Option<string>("--mode")
        {
            Description = "Training mode of the shipped network: pat, insilico, ideal, pat-refine.",
            DefaultValueFactory = _ => "pat",
        };
        var seed = new Option<int>("--training-seed")
        {
            Description = "Seed of the network's initial weights and the training order.",
            DefaultValueFactory = _ => 0,
        };
        var deviceId = new Option<string>("--device-id")
        {
            Description = "Id of the simulated part to train on (the agent's Edge:Device:DeviceId); with --recipe, "
                + "the recipe's part unless given.",
            DefaultValueFactory = _ => PhysicalSystems.DefaultPartId,
        };
        var key = new Option<FileInfo>("--key") { Description = "Private signing key (PEM, from keygen).",
            Required = true };
        var version = new Option<int>("--version")
        {
            Description = "Model version (positive, larger than any published before).", Required = true,
        };
        var calibration = new Option<FileInfo>("--calibration")
        {
            Description = "Calibration set CSV the agents hold; created from the task's test split when missing.",
            Required = true,
        };
        var output = new Option<FileInfo>("--out") { Description = "Package file to write (.edgepkg).",
            Required = true };
        var targetDevices = new Option<string[]>("--target-device")
        {
            Description =
                "Id of an agent the package is for (repeatable); agents refuse packages that do not name them.",
            AllowMultipleArgumentsPerToken = false,
        };
        var fleet = new Option<string>("--fleet")
        {
            Description = "Fleet (part class) the package is for: every agent configured with this fleet accepts it.",
        };
        var command = new Command("package",
            "Train a model by a recipe and write it as a signed package for edge agents.");
        foreach (var option in recipeOptions.All)
        {
            command.Options.Add(option);
        }

        Option[] own = [recipeFile, mode, seed, deviceId, key, version, calibration, output, targetDevices, fleet];
        foreach (var option in own)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var targets = Targets(parse.GetValue(targetDevices), parse.GetValue(fleet));
            var modelVersion = BenchCommand.Positive(parse.GetValue(version), "--version");
            TrainingRecipe recipe;
            if (parse.GetValue(recipeFile) is { } file)
            {
                var fixedByRecipe = recipeOptions.Given(parse)
                    .Where(name => name is not ("--threads" or "--speech-cache"))
                    .Concat(parse.GetResult(mode) is { Implicit: false } ? ["--mode"] : [])
                    .Concat(parse.GetResult(seed) is { Implicit: false } ? ["--training-seed"] : [])
                    .ToList();
                if (fixedByRecipe.Count > 0)
                {
                    var names = string.Join(", ", fixedByRecipe);
                    throw new ArgumentException($"--recipe fixes the network; {names} cannot "
                        + "be combined with it (write a recipe file with the changes instead).");
                }

                recipe = TrainingRecipeJson.Load(file.FullName);
                if (parse.GetResult(deviceId) is { Implicit: false })
                {
                    recipe = recipe with { Part = parse.GetValue(deviceId)! };
                }
            }
            else
            {
                var options = recipeOptions.Read(parse) with { DeviceId = parse.GetValue(deviceId)! };
                recipe = TrainingRecipe.From(
                    options, TrainingModes.Parse(parse.GetValue(mode)!), parse.GetValue(seed));
            }

            var pipeline = new TrainingPipeline(recipe, recipeOptions.Threads(parse), recipeOptions.SpeechCache(parse));
            pipeline.EnsureShippable();
            using var signingKey = PackageSigning.LoadPrivateKey(parse.GetRequiredValue(key).FullName);
            var audioInput = pipeline.AudioInput();
            var calibrationBytes = CalibrationBytes(parse.GetRequiredValue(calibration).FullName, pipeline.Task);
            Console.WriteLine($"recipe: {recipe.Task} on {recipe.System} part '{recipe.Part}', "
                + $"{pipeline.Architecture.Name()} network, {recipe.Mode} for {recipe.Epochs} epochs, "
                + $"seed {recipe.Seed}");
            var run = await ProgressReporter.RunAsync(report => pipeline.RunAsync(
                new TrainingOptions { CurveEvery = 0 }, report, cancellationToken)).ConfigureAwait(false);
            Console.WriteLine($"Device test accuracy: {run.Result.TestAccuracy:P1}");

            var path = parse.GetRequiredValue(output).FullName;
            ModelManifest? manifest = null;
            AtomicFile.Write(path, stream => manifest = pipeline.WritePackage(
                stream, run.Model, run.Twin, modelVersion, targets, calibrationBytes, Environment.MachineName,
                signingKey, audioInput));
            Console.WriteLine($"package: {path} (version {modelVersion}, {manifest!.Stages.Count} stages, "
                + $"calibration {manifest.CalibrationSha256[..12]}…, key {manifest.KeyId}, for {Describe(targets)})");
            return 0;
        });
        return command;
    }

    /// <summary>The targets named by <c>--target-device</c> and <c>--fleet</c>; at least one is required.</summary>
    internal static ModelTargets Targets(string[]? deviceIds, string? fleet)
    {
        var targets = new ModelTargets(deviceIds ?? [], string.IsNullOrWhiteSpace(fleet) ? null : fleet.Trim());
        if (targets.DeviceIds.Count == 0 && targets.Fleet is null)
        {
            throw new ArgumentException("--target-device / --fleet: name the agents the package is for with "
                + "--target-device ID (repeatable) and/or --fleet NAME; agents refuse packages that do not name them.");
        }

        return targets.Problem() is { } problem
            ? throw new ArgumentException($"--target-device / --fleet: {problem}.")
            : targets;
    }

    private static string Describe(ModelTargets targets)
        => string.Join(
            ", ", targets.Fleet is null ? targets.DeviceIds : [.. targets.DeviceIds, $"fleet {targets.Fleet}"]);

    private static byte[] CalibrationBytes(string path, ClassificationTask task)
    {
        if (File.Exists(path))
        {
            var existing = CalibrationSet.Load(path);
            return existing.FeatureCount == task.Test.FeatureCount
                ? File.ReadAllBytes(path)
                : throw new
                    InvalidDataException($"Calibration set '{path}' has {existing.FeatureCount} features; task "
                        + $"'{task.Name}' has {task.Test.FeatureCount}.");
        }

        var bytes = TrainingPipeline.CalibrationFromTestSplit(task);
        AtomicFile.Write(path, stream => stream.Write(bytes));
        Console.WriteLine($"calibration set: {path} (the test split of '{task.Name}', {task.Test.Count} examples; "
            + "copy it to the agents)");
        return bytes;
    }
}
