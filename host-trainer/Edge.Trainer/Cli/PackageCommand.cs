using System.CommandLine;
using Edge.Domain.Data;
using Edge.Domain.IO;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>package</c>: trains a PNN on a simulated part (black-box twin, then the chosen mode) and writes it as a signed
/// model package with its digital stages and twin in ONNX. For <c>fsdd</c> the package also carries the audio front end
/// and the standardisation, so agents classify WAV files and live sound with it.
/// </summary>
internal static class PackageCommand
{
    public static Command Create()
    {
        var system = new Option<string>("--system") { Description = "Physical system the agents host.", DefaultValueFactory = _ => "electronic" };
        var task = new Option<string>("--task") { Description = "Task: vowels, or fsdd (spoken digits; the package takes WAV input).", DefaultValueFactory = _ => "vowels" };
        var mode = new Option<string>("--mode") { Description = "Training mode: pat, insilico, ideal, pat-refine.", DefaultValueFactory = _ => "pat" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--training-seed")
        {
            Description = "Seed of the network's initial weights and the training order.",
            DefaultValueFactory = _ => 0
        };
        var deviceId = new Option<string>("--device-id")
        {
            Description = "Id of the simulated part to train on (the agent's Edge:Device:DeviceId).",
            DefaultValueFactory = _ => PhysicalSystems.DefaultPartId,
        };
        var noiseSeed = new Option<ulong>("--noise-seed")
        {
            Description = "Seed of that part's noise and drift streams (the agent's Edge:Device:Seed).",
            DefaultValueFactory = _ => PhysicalSystems.DefaultNoiseSeed,
        };
        var width = new Option<int>("--width") { Description = "Physical branches per bank (above 1: the wide hybrid, a digital input layer into banks of branches).", DefaultValueFactory = _ => 1 };
        var layers = new Option<int>("--layers") { Description = "Physical layers (banks) in series.", DefaultValueFactory = _ => 2 };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant or cosine.", DefaultValueFactory = _ => new TrainingOptions().Schedule.Name() };
        var key = new Option<FileInfo>("--key") { Description = "Private signing key (PEM, from keygen).", Required = true };
        var version = new Option<int>("--version") { Description = "Model version (positive, larger than any published before).", Required = true };
        var calibration = new Option<FileInfo>("--calibration") { Description = "Calibration set CSV the agents hold; created from the task's test split when missing.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Package file to write (.edgepkg).", Required = true };
        var targetDevices = new Option<string[]>("--target-device")
        {
            Description = "Id of an agent the package is for (repeatable); agents refuse packages that do not name them.",
            AllowMultipleArgumentsPerToken = false,
        };
        var fleet = new Option<string>("--fleet")
        {
            Description = "Fleet (part class) the package is for: every agent configured with this fleet accepts it.",
        };
        var command = new Command("package", "Train a model and write it as a signed package for edge agents.")
        {
            system, task, mode, epochs, seed, deviceId, noiseSeed, width, layers, schedule, key, version,
            calibration, output,
            targetDevices, fleet,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var targets = Targets(parse.GetValue(targetDevices), parse.GetValue(fleet));
            var modelVersion = BenchCommand.Positive(parse.GetValue(version), "--version");
            var trainingMode = TrainingModes.Parse(parse.GetValue(mode)!);
            var physical = PhysicalSystems.Get(parse.GetValue(system)!);
            var taskName = parse.GetValue(task)!.Trim().ToLowerInvariant();
            if (taskName is not ("vowels" or "fsdd"))
            {
                throw new ArgumentException($"--task: '{taskName}' cannot be packaged; use vowels or fsdd.");
            }

            var classification = PatBenchmark.LoadTask(taskName);
            var audioInput = taskName == "fsdd" ? FsddAudioInput.Conventional(BenchTasks.FsddCorpus, classification) : null;
            using var signingKey = PackageSigning.LoadPrivateKey(parse.GetRequiredValue(key).FullName);
            var calibrationBytes = CalibrationBytes(parse.GetRequiredValue(calibration).FullName, classification);
            var options = new TrainingOptions
            {
                Epochs = BenchCommand.Positive(parse.GetValue(epochs), "--epochs"),
                Schedule = LearningRateSchedules.Parse(parse.GetValue(schedule)!),
                CurveEvery = 0,
            };
            var branches = BenchCommand.Positive(parse.GetValue(width), "--width");
            var depth = BenchCommand.Positive(parse.GetValue(layers), "--layers");

            var device = physical.CreateDevice(parse.GetValue(deviceId)!, seed: parse.GetValue(noiseSeed));
            device.MaxDegreeOfParallelism = Environment.ProcessorCount;
            Console.WriteLine($"Collecting twin data and fitting the black-box twin of '{physical.Name}'…");
            var twinData = await TwinData.CollectAsync(device, new TwinDataOptions(), seed: 17, cancellationToken: cancellationToken).ConfigureAwait(false);
            var twin = MlpTwinFitter.Fit(twinData, new MlpTwinOptions { Threads = Environment.ProcessorCount }, seed: 23, cancellationToken: cancellationToken).Twin;
            var maxBatch = Math.Max(options.BatchSize, classification.Test.Count);
            var model = branches == 1 && depth == 2
                ? PnnArchitectures.ForSystem(physical.Name, device, classification.Train.FeatureCount, classification.ClassCount, maxBatch, (ulong)parse.GetValue(seed))
                : PnnArchitectures.WideHybrid(device, classification.Train.FeatureCount, classification.ClassCount, branches, depth, maxBatch, (ulong)parse.GetValue(seed));
            Console.WriteLine($"Training ({trainingMode.Name()}, {options.Epochs} epochs)…");
            var result = await PnnTrainer.TrainAsync(model, classification, trainingMode, twin, twinData, options, (ulong)parse.GetValue(seed), cancellationToken: cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Device test accuracy: {result.TestAccuracy:P1}");

            var path = parse.GetRequiredValue(output).FullName;
            var metadata = new PackageMetadata(modelVersion, classification.Name, classification.ClassNames, calibrationBytes, Environment.MachineName) {
                AudioInput = audioInput,
                Targets = targets,
            };
            ModelManifest? manifest = null;
            AtomicFile.Write(path, stream => manifest = ModelPackager.Write(stream, model, twin, metadata, signingKey));
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
                : throw new InvalidDataException($"Calibration set '{path}' has {existing.FeatureCount} features; task '{task.Name}' has {task.Test.FeatureCount}.");
        }

        var labels = new string[task.Test.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = task.ClassNames[task.Test.Labels[i]];
        }

        var bytes = CalibrationSet.Format(labels, task.Test.Features, task.Test.FeatureCount);
        AtomicFile.Write(path, stream => stream.Write(bytes));
        Console.WriteLine($"calibration set: {path} (the test split of '{task.Name}', {labels.Length} examples; copy it to the agents)");
        return bytes;
    }
}
