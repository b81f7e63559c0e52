using System.Diagnostics;
using Edge.Domain.Data;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Bench;

/// <summary>
/// The <c>bench pat</c> workload: collect twin data from a simulated part, fit the twin, then train the same network
/// in every requested mode for every seed and evaluate each through the device.
/// </summary>
public static class PatBenchmark
{
    /// <summary>Loads a task by name: vowels, mnist, fsdd (conventional split) or fsdd-loso-&lt;speaker&gt;.</summary>
    public static ClassificationTask LoadTask(string name) => BenchTasks.Load(name);

    /// <summary>Runs the benchmark; <paramref name="progress"/> receives (stage, fraction of that stage).</summary>
    public static async Task<PatBenchmarkResult> RunAsync(PatBenchmarkOptions options, Action<string, double>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var task = BenchTasks.Load(options.Task, options.Features, options.Augment, options.Cepstra, options.SpeechCache);
        var architecture = options.ResolvedArchitecture;
        var system = SystemFor(options.System, architecture);
        var threads = options.Threads;

        var dataDevice = system.CreateDevice(options.DeviceId, seed: 1_000_003);
        dataDevice.MaxDegreeOfParallelism = threads;
        var twinData = await TwinData.CollectAsync(dataDevice, options.TwinData, seed: 17, new Progress(progress, "twin data"), cancellationToken).ConfigureAwait(false);
        var dataSeconds = clock.Elapsed.TotalSeconds;

        var fit = FitTwin(system, twinData, options, new Progress(progress, "twin fit"), cancellationToken);
        var twinFitSeconds = clock.Elapsed.TotalSeconds - dataSeconds;

        var runs = new List<TrainingResult>();
        for (var seed = 0; seed < options.Seeds; seed++)
        {
            foreach (var mode in options.Modes)
            {
                var device = system.CreateDevice(options.DeviceId, seed: (ulong)((seed * 16) + (int)mode + 1));
                device.MaxDegreeOfParallelism = threads;
                var maxBatch = Math.Max(options.Training.BatchSize, task.Test.Count);
                var model = Build(architecture, options, system.Name, device, task, maxBatch, (ulong)seed);
                if (mode == TrainingMode.Digital)
                {
                    model = PnnArchitectures.Digital(task.Train.FeatureCount, task.ClassCount, PnnArchitectures.ParameterCount(model), maxBatch, (ulong)seed);
                }

                var result = await PnnTrainer.TrainAsync(model, task, mode, fit.Twin, twinData, options.Training, (ulong)seed, new Progress(progress, $"{mode.Name()} seed {seed}"), cancellationToken).ConfigureAwait(false);
                runs.Add(result);
            }
        }

        return new PatBenchmarkResult(
            options,
            runs,
            fit.Twin.Description,
            fit.ValidationNmse,
            twinData.NoiseFloorNmse,
            fit.Curve,
            Parity(fit.Twin, twinData),
            dataSeconds,
            twinFitSeconds,
            dataDevice.DrivesPlayed,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>The simulated system a run uses: the pixel-drive layer of the part for <see cref="PnnArchitecture.PixelDrive"/>.</summary>
    public static IPhysicalSystem SystemFor(string system, PnnArchitecture architecture)
        => architecture == PnnArchitecture.PixelDrive ? PixelDriveSystem.For(system) : PhysicalSystems.Get(system);

    /// <summary>A freshly initialised network of <paramref name="architecture"/> (auto already resolved) on <paramref name="device"/>.</summary>
    public static PnnModel Build(PnnArchitecture architecture, PatBenchmarkOptions options, string system, IPhysicalDevice device, ClassificationTask task, int maxBatch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(task);
        var features = task.Train.FeatureCount;
        return architecture switch
        {
            PnnArchitecture.Wide => PnnArchitectures.WideHybrid(device, features, task.ClassCount, options.Width, options.Layers, maxBatch, seed),
            PnnArchitecture.PixelDrive => PnnArchitectures.PixelDrive(device, features, task.ClassCount, options.Layers, options.PixelDriveScans, maxBatch, seed),
            PnnArchitecture.Standard => PnnArchitectures.ForSystem(system, device, features, task.ClassCount, maxBatch, seed),
            _ => throw new ArgumentException($"Architecture '{architecture.Name()}' must be resolved before a model is built.", nameof(architecture)),
        };
    }

    private static (ITwin Twin, double ValidationNmse, IReadOnlyList<double> Curve) FitTwin(
        IPhysicalSystem system, TwinData data, PatBenchmarkOptions options, IProgress<double> progress, CancellationToken cancellationToken)
    {
        if (options.Twin == TwinKind.GrayBox)
        {
            var grayBox = GrayBoxFitter.Fit(system.Physics, data, options.GrayBox with { Threads = options.Threads }, seed: 23, progress, cancellationToken);
            return (grayBox.Twin, grayBox.ValidationNmse, grayBox.TrainLoss);
        }

        var mlp = MlpTwinFitter.Fit(data, options.MlpTwin, seed: 23, progress, cancellationToken);
        return (mlp.Twin, mlp.ValidationNmse, mlp.ValidationLoss);
    }

    private static (float[] Measured, float[] Predicted) Parity(ITwin twin, TwinData data)
    {
        var count = Math.Min(500, data.Count - data.TrainCount);
        var outputs = data.Spec.OutputSize;
        var driveLength = data.Spec.DriveLength;
        var predicted = new float[count * outputs];
        twin.Forward(data.Drives.AsSpan(data.TrainCount * driveLength, count * driveLength), count, predicted, twin.CreateWorkspace(count));
        return (data.Responses.AsSpan(data.TrainCount * outputs, count * outputs).ToArray(), predicted);
    }

    private sealed class Progress(Action<string, double>? report, string stage) : IProgress<double>
    {
        public void Report(double value) => report?.Invoke(stage, value);
    }
}
