using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Bench;

/// <summary>
/// <c>bench drift</c>: does the probe drift score fire on what costs accuracy and stay quiet otherwise? One simulated
/// electronic part runs a vowel model trained on it; for each change of a grid (ambient temperature, component
/// ageing, settling, readout gain, a swapped part) the bench measures its accuracy cost on the test set, then replays
/// the field in simulated time: traffic at <see cref="DriftBenchOptions.InferencesPerSecond"/>, a probe round at
/// every check, first a quiet stretch before the change (any alarm there is false), then the change.
/// </summary>
public static class DriftBench
{
    /// <summary>The grid of changes: kind, label, environment.</summary>
    public static IReadOnlyList<(string Kind, string Change, PartEnvironment Environment)> Grid { get; } =
    [
        ("none", "no change", PartEnvironment.Calibrated),
        ("temperature", "+5 K", new() { AmbientKelvin = 5 }),
        ("temperature", "+20 K", new() { AmbientKelvin = 20 }),
        ("temperature", "+60 K", new() { AmbientKelvin = 60 }),
        ("temperature", "+150 K", new() { AmbientKelvin = 150 }),
        ("ageing", "0.2 %", new() { Ageing = 0.002 }),
        ("ageing", "1 %", new() { Ageing = 0.01 }),
        ("ageing", "3 %", new() { Ageing = 0.03 }),
        ("ageing", "10 %", new() { Ageing = 0.10 }),
        ("settling", "gap 15 µs", new() { SettlingGapSeconds = 15e-6 }),
        ("settling", "gap 8 µs", new() { SettlingGapSeconds = 8e-6 }),
        ("settling", "gap 3 µs", new() { SettlingGapSeconds = 3e-6 }),
        ("gain", "×0.99", new() { Gain = 0.99 }),
        ("gain", "×0.95", new() { Gain = 0.95 }),
        ("gain", "×0.85", new() { Gain = 0.85 }),
        ("part swap", "another part", new() { PartId = "sim-drift-spare" }),
    ];

    /// <summary>Runs the grid; <paramref name="report"/> receives each row as it is measured.</summary>
    public static async Task<DriftBenchResult> RunAsync(
        DriftBenchOptions options, Action<DriftBenchRow>? report = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (part, model, task, trainedAccuracy) = await TrainAsync(
            options.Seed, options.Epochs, Math.Max(64, options.Probes), cancellationToken).ConfigureAwait(false);
        var detector = new ProbeDrift(Probes(task.Train, options.Probes), task.ClassCount, options.Score);
        var rows = new List<DriftBenchRow>();
        foreach (var (kind, change, environment) in Grid)
        {
            part.Environment = PartEnvironment.Calibrated;
            var before = await AccuracyAsync(model, task, options.CostPasses, cancellationToken).ConfigureAwait(false);
            detector.SetReference(await detector.PlayAsync(model, options.ReferencePasses, cancellationToken)
                .ConfigureAwait(false));
            var falseAlarms = 0;
            for (var check = 0; check < options.QuietChecks; check++)
            {
                var quiet = await CheckAsync(model, task, detector, options, cancellationToken).ConfigureAwait(false);
                falseAlarms += quiet.Drifted ? 1 : 0;
            }

            part.Environment = environment;
            var after = await AccuracyAsync(model, task, options.CostPasses, cancellationToken).ConfigureAwait(false);
            double? detectedAfter = null;
            var alarmsAfter = 0;
            var lastDrop = 0.0;
            for (var check = 1; check <= options.ChangedChecks; check++)
            {
                var score = await CheckAsync(model, task, detector, options, cancellationToken).ConfigureAwait(false);
                lastDrop = score.Drop;
                if (score.Drifted)
                {
                    alarmsAfter++;
                    detectedAfter ??= check * options.CheckInterval.TotalSeconds;
                }
            }

            var cost = before - after;
            // Below one point a change should trigger nothing: any alarm after it is a false alarm too.
            falseAlarms += cost < 0.01 ? alarmsAfter : 0;
            var row = new DriftBenchRow(
                kind, change, before, after, cost, detectedAfter is not null, detectedAfter, falseAlarms, lastDrop);
            rows.Add(row);
            report?.Invoke(row);
        }

        part.Environment = PartEnvironment.Calibrated;
        return new DriftBenchResult(options, trainedAccuracy, detector.Probes.Count, rows);
    }

    /// <summary>The bench JSON (<c>"bench": "drift-detection"</c>) with its run block.</summary>
    public static JsonObject ToJson(DriftBenchResult result, JsonObject run)
    {
        ArgumentNullException.ThrowIfNull(result);
        var o = result.Options;
        var rows = new JsonArray();
        foreach (var row in result.Rows)
        {
            rows.Add(new JsonObject
            {
                ["kind"] = row.Kind,
                ["change"] = row.Change,
                ["accuracy_before"] = row.AccuracyBefore,
                ["accuracy_after"] = row.AccuracyAfter,
                ["accuracy_cost"] = row.Cost,
                ["detected"] = row.Detected,
                ["seconds_to_detect"] = row.SecondsToDetect,
                ["false_alarms"] = row.FalseAlarms,
                ["probe_drop"] = row.ProbeDrop,
            });
        }

        return new JsonObject
        {
            ["bench"] = "drift-detection",
            ["system"] = "electronic",
            ["task"] = "vowels",
            ["trained_accuracy"] = result.TrainedAccuracy,
            ["probes"] = result.Probes,
            ["probe_passes"] = o.ProbePasses,
            ["reference_passes"] = o.ReferencePasses,
            ["window"] = o.Score.Window,
            ["drop_threshold"] = o.Score.DropThreshold,
            ["minimum_z"] = o.Score.MinimumZ,
            ["check_interval_s"] = o.CheckInterval.TotalSeconds,
            ["inferences_per_s"] = o.InferencesPerSecond,
            ["quiet_checks"] = o.QuietChecks,
            ["changed_checks"] = o.ChangedChecks,
            ["rows"] = rows,
            ["run"] = run,
        };
    }

    /// <summary>One row as a table line for the console.</summary>
    public static string Format(DriftBenchRow row)
    {
        var culture = CultureInfo.InvariantCulture;
        var detected = row.SecondsToDetect is { } s ? string.Create(culture, $"yes, {s:F0} s") : "no";
        return string.Create(
            culture,
            $"{row.Kind,-12} {row.Change,-14} cost {row.Cost * 100,6:F1} pts  detected {detected,-12} "
            + $"false alarms {row.FalseAlarms}  probe drop {row.ProbeDrop * 100:F1} pts");
    }

    // Simulated time: the traffic of one check interval, then the probe round the check plays.
    private static async Task<ProbeDriftScore> CheckAsync(
        PnnModel model,
        ClassificationTask task,
        ProbeDrift detector,
        DriftBenchOptions options,
        CancellationToken token)
    {
        // The traffic's content does not matter here, only that the part keeps working (and drifting) between checks.
        var traffic = (int)Math.Round(options.CheckInterval.TotalSeconds * options.InferencesPerSecond);
        var test = task.Test;
        for (var start = 0; start < traffic; start += model.MaxBatch)
        {
            var count = Math.Min(model.MaxBatch, Math.Min(traffic - start, test.Count));
            var inputs = test.Features.AsMemory(0, count * test.FeatureCount);
            await model.ForwardAsync(inputs, count, PassKind.Device, training: false, token).ConfigureAwait(false);
        }

        return detector.Add(await detector.PlayAsync(model, options.ProbePasses, token).ConfigureAwait(false));
    }

    /// <summary>
    /// The bench's part (an electronic part, <c>sim-drift-01</c>) and a vowel model trained on it with ideal gradients.
    /// </summary>
    internal static async Task<(SimulatedDevice Part, PnnModel Model, ClassificationTask Task, double Accuracy)>
        TrainAsync(ulong seed, int epochs, int maxBatch, CancellationToken cancellationToken)
    {
        var system = PhysicalSystems.Get("electronic");
        var task = BenchTasks.Load("vowels");
        var part = system.CreateDevice("sim-drift-01", seed);
        var model = PnnArchitectures.ForSystem(
            system.Name, part, task.Train.FeatureCount, task.ClassCount, maxBatch, seed);
        var training = new TrainingOptions { Epochs = epochs, CurveEvery = 0, EvaluationPasses = 1 };
        var trained = await PnnTrainer.TrainAsync(
            model, task, TrainingMode.Ideal, new PhysicsTwin(system.Physics, "nominal"), null, training, seed,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return (part, model, task, trained.TestAccuracy);
    }

    /// <summary>Mean device test accuracy of <paramref name="model"/> over <paramref name="passes"/> passes.</summary>
    internal static async Task<double> AccuracyAsync(
        PnnModel model, ClassificationTask task, int passes, CancellationToken token) =>
        (await PnnTrainer.EvaluateAsync(model, task, PassKind.Device, passes, token).ConfigureAwait(false)).Accuracy;

    // Every k-th training example: spread over the classes and the speakers, fixed for the model's life.
    private static LabelledSet Probes(LabelledSet train, int count)
    {
        count = Math.Min(count, train.Count);
        var step = train.Count / count;
        var features = new float[count * train.FeatureCount];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            train.Row(i * step).CopyTo(features.AsSpan(i * train.FeatureCount));
            labels[i] = train.Labels[i * step];
        }

        return new LabelledSet(features, labels, train.FeatureCount);
    }
}

/// <summary>Settings of <c>bench drift</c>.</summary>
public sealed record DriftBenchOptions
{
    /// <summary>Seed of the part's noise and the model.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Training epochs of the model (ideal gradients).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Labelled probes (every k-th training example).</summary>
    public int Probes { get; init; } = 512;

    /// <summary>Passes averaged for the reference just after training.</summary>
    public int ReferencePasses { get; init; } = 8;

    /// <summary>Passes per probe round (one round per check).</summary>
    public int ProbePasses { get; init; } = 2;

    /// <summary>Passes over the test set for each accuracy figure.</summary>
    public int CostPasses { get; init; } = 24;

    /// <summary>Simulated time between checks.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Live traffic between checks, in inferences per simulated second.</summary>
    public double InferencesPerSecond { get; init; } = 1;

    /// <summary>Checks before the change (10: five quiet minutes at 30 s).</summary>
    public int QuietChecks { get; init; } = 10;

    /// <summary>Checks after the change (10: five minutes at 30 s).</summary>
    public int ChangedChecks { get; init; } = 10;

    /// <summary>The score's thresholds.</summary>
    public ProbeDriftOptions Score { get; init; } = new();
}

/// <summary>One change of the grid and what the score made of it.</summary>
/// <param name="Kind">temperature, ageing, settling, gain, part swap or none.</param>
/// <param name="Change">The change in words.</param>
/// <param name="AccuracyBefore">Test accuracy before the change.</param>
/// <param name="AccuracyAfter">Test accuracy after it.</param>
/// <param name="Cost">Accuracy lost (0.03: three points).</param>
/// <param name="Detected">True when the score fired after the change.</param>
/// <param name="SecondsToDetect">Simulated seconds from the change to the first alarm.</param>
/// <param name="FalseAlarms">Alarms in the quiet stretch, plus any after a change costing under one point.</param>
/// <param name="ProbeDrop">The probes' accuracy drop at the last check.</param>
public sealed record DriftBenchRow(
    string Kind,
    string Change,
    double AccuracyBefore,
    double AccuracyAfter,
    double Cost,
    bool Detected,
    double? SecondsToDetect,
    int FalseAlarms,
    double ProbeDrop);

/// <summary>The grid's results.</summary>
/// <param name="Options">The settings.</param>
/// <param name="TrainedAccuracy">Test accuracy of the trained model.</param>
/// <param name="Probes">Probes played per pass.</param>
/// <param name="Rows">One per change.</param>
public sealed record DriftBenchResult(
    DriftBenchOptions Options, double TrainedAccuracy, int Probes, IReadOnlyList<DriftBenchRow> Rows);
