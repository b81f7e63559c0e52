using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Training;
using ScottPlot;

namespace Edge.Trainer.Reporting;

/// <summary>The pictures of a training run: curves, confusion matrices and the twin's parity plot.</summary>
public static class Plots
{
    private static readonly string[] Kinds = ["curves.png", "twin-parity.png", "passes.png"];
    private const string ConfusionKind = "confusion-";

    /// <summary>
    /// The file-name stem of a run's plots when no result file names them: task and system, plus <c>-field</c> for a
    /// field-profile part.
    /// </summary>
    public static string Prefix(string task, string system, DeviceProfile profile)
        => profile == DeviceProfile.Field ? $"{task}-{system}-field" : $"{task}-{system}";

    /// <summary>
    /// The file-name stem of a run's plots: the stem of its result file when it has one (so two runs of the same task,
    /// system and profile, e.g. a full run and a zo-only run, keep their own plots), else <see cref="Prefix"/>.
    /// </summary>
    public static string Stem(PatBenchmarkResult result, string? jsonPath)
    {
        ArgumentNullException.ThrowIfNull(result);
        return jsonPath is null
            ? Prefix(result.Options.Task, result.Options.System, result.Options.Profile)
            : Path.GetFileNameWithoutExtension(jsonPath);
    }

    /// <summary>Whether <paramref name="image"/> (a file name) is one of the plots written with
    /// <paramref name="stem"/>.</summary>
    public static bool IsPlotOf(string image, string stem)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(stem);
        if (!image.StartsWith(stem + "-", StringComparison.Ordinal))
        {
            return false;
        }

        var kind = image[(stem.Length + 1)..];
        return Kinds.Contains(kind, StringComparer.Ordinal)
            || (kind.StartsWith(ConfusionKind, StringComparison.Ordinal)
                && kind.EndsWith(".png", StringComparison.Ordinal));
    }

    /// <summary>Writes every plot of <paramref name="result"/> into <paramref name="directory"/>, each named
    /// <paramref name="stem"/>-kind.png.</summary>
    public static IReadOnlyList<string> WriteAll(
        PatBenchmarkResult result, string directory, string stem, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var files = new List<string>
        {
            TrainingCurves(result, Path.Combine(directory, $"{stem}-{Kinds[0]}")),
            TwinParity(result, Path.Combine(directory, $"{stem}-{Kinds[1]}")),
            AccuracyAgainstPasses(result, Path.Combine(directory, $"{stem}-{Kinds[2]}")),
        };
        foreach (var mode in result.Options.Modes)
        {
            files.Add(Confusion(result, mode, classNames,
                Path.Combine(directory, $"{stem}-{ConfusionKind}{mode.Name()}.png")));
        }

        return files;
    }

    private static string TrainingCurves(PatBenchmarkResult result, string path)
    {
        var plot = new Plot();
        foreach (var mode in result.Options.Modes)
        {
            var run = result.Of(mode)[0];
            var test = ChartPrimitives.AddTestCurve(plot, run.Curve, $"{mode.Name()} (device test)", 0);
            var trainAccuracy = plot.Add.Scatter(run.Curve.Select(p => (double)p.Epoch).ToArray(),
                run.Curve.Select(p => p.TrainAccuracy).ToArray());
            trainAccuracy.LegendText = $"{mode.Name()} (train)";
            trainAccuracy.MarkerSize = 0;
            trainAccuracy.LinePattern = LinePattern.Dotted;
            trainAccuracy.Color = test.Color;
        }

        plot.Title($"{result.Options.Task} on {result.Options.System}: accuracy during training (seed 0)");
        plot.XLabel("epoch");
        plot.YLabel("accuracy");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 560);
        return path;
    }

    // Device passes span three orders of magnitude between modes, so the axis is log10 of them.
    private static string AccuracyAgainstPasses(PatBenchmarkResult result, string path)
    {
        var plot = new Plot();
        foreach (var mode in result.Options.Modes)
        {
            var points = result.Of(mode)[0].Curve
                .Where(p => p.TestAccuracy is not null && p.TrainingDrives > 0)
                .ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(
                points.Select(p => Math.Log10(p.TrainingDrives)).ToArray(),
                points.Select(p => p.TestAccuracy!.Value).ToArray());
            line.LegendText = mode.Name();
        }

        plot.Title(
            $"{result.Options.Task} on {result.Options.System}: device test accuracy against training passes (seed 0)");
        plot.XLabel("log10 of device passes spent training (drives played)");
        plot.YLabel("accuracy");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 560);
        return path;
    }

    private static string TwinParity(PatBenchmarkResult result, string path)
    {
        var (measured, predicted) = result.TwinParity;
        return ChartPrimitives.TwinParity(measured, predicted,
            $"Twin parity: NMSE {result.TwinValidationNmse:F4} (noise floor {result.NoiseFloorNmse:F4})", path);
    }

    private static string Confusion(PatBenchmarkResult result, TrainingMode mode, IReadOnlyList<string> classNames,
        string path)
    {
        // Every seed sees the same test set, so summed counts normalise to the mean of the seeds' row fractions.
        var classes = classNames.Count;
        var counts = new int[classes, classes];
        foreach (var run in result.Of(mode))
        {
            for (var t = 0; t < classes; t++)
            {
                for (var p = 0; p < classes; p++)
                {
                    counts[t, p] += run.Confusion[t, p];
                }
            }
        }

        return ChartPrimitives.Confusion(counts, classNames,
            $"{mode.Name()}: confusion on the test set (rows: true class), accuracy {result.Mean(mode):P1}", path);
    }
}
