using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Training;
using ScottPlot;

namespace Edge.Trainer.Reporting;

/// <summary>The pictures of a training run: curves, confusion matrices and the twin's parity plot.</summary>
public static class Plots
{
    /// <summary>
    /// The file-name stem of a run's plots: task and system, plus <c>-field</c> for a field-profile part, so the two
    /// profiles' plots sit side by side.
    /// </summary>
    public static string Prefix(string task, string system, DeviceProfile profile)
        => profile == DeviceProfile.Field ? $"{task}-{system}-field" : $"{task}-{system}";

    /// <summary>Writes every plot of <paramref name="result"/> into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> WriteAll(
        PatBenchmarkResult result, string directory, IReadOnlyList<string> classNames)
    {
        Directory.CreateDirectory(directory);
        var prefix = Prefix(result.Options.Task, result.Options.System, result.Options.Profile);
        var files = new List<string>
        {
            TrainingCurves(result, Path.Combine(directory, $"{prefix}-curves.png")),
            TwinParity(result, Path.Combine(directory, $"{prefix}-twin-parity.png")),
            AccuracyAgainstPasses(result, Path.Combine(directory, $"{prefix}-passes.png")),
        };
        foreach (var mode in result.Options.Modes)
        {
            files.Add(Confusion(result, mode, classNames,
                Path.Combine(directory, $"{prefix}-confusion-{mode.Name()}.png")));
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
