using System.Diagnostics;
using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Recipes;
using Edge.Trainer.Reporting;
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
    public static async Task<PatBenchmarkResult> RunAsync(
        PatBenchmarkOptions options,
        Action<string, double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var pipeline = new TrainingPipeline(
            TrainingRecipe.From(options, options.Modes[0], seed: 0), options.Threads, options.SpeechCache);
        var dataDevice = pipeline.CreateDevice(TrainingPipeline.TwinDataDeviceSeed);
        var twinData = await TwinData.CollectAsync(
            dataDevice, options.TwinData, TrainingPipeline.TwinDataSeed, StageProgress.For(progress, "twin data"),
            cancellationToken).ConfigureAwait(false);
        var dataSeconds = clock.Elapsed.TotalSeconds;

        var twin = pipeline.FitTwin(
            twinData, options.MlpTwin, StageProgress.For(progress, "twin fit"), cancellationToken: cancellationToken);
        var twinFitSeconds = clock.Elapsed.TotalSeconds - dataSeconds;

        var runs = new List<TrainingResult>();
        for (var seed = options.FirstSeed; seed < options.FirstSeed + options.Seeds; seed++)
        {
            foreach (var mode in options.Modes)
            {
                var device = pipeline.CreateDevice(TrainingPipeline.TrainingDeviceSeed(mode, seed));
                var model = pipeline.BuildNetwork(device, mode, (ulong)seed);
                var result = await pipeline.TrainAsync(
                    model, mode, twin, (ulong)seed, options.Training,
                    StageProgress.For(progress, $"{mode.Name()} seed {seed}"), cancellationToken).ConfigureAwait(false);
                runs.Add(result);
            }
        }

        return new PatBenchmarkResult(
            options,
            runs,
            twin.Twin.Description,
            twin.ValidationNmse,
            twinData.NoiseFloorNmse,
            twin.Curve,
            twin.Parity(500),
            dataSeconds,
            twinFitSeconds,
            dataDevice.DrivesPlayed,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>The simulated system a run uses: the pixel-drive layer of the part for <see
    /// cref="PnnArchitecture.PixelDrive"/>.</summary>
    public static IPhysicalSystem SystemFor(string system, PnnArchitecture architecture)
        => architecture == PnnArchitecture.PixelDrive ? PixelDriveSystem.For(system) : PhysicalSystems.Get(system);
}
