using Edge.Trainer.Bench;
using Edge.Trainer.Training;
using ScottPlot;

namespace Edge.Trainer.Reporting;

/// <summary>The pictures of a training run: curves, confusion matrices and the twin's parity plot.</summary>
public static class Plots
{
    /// <summary>Writes every plot of <paramref name="result"/> into <paramref name="directory"/>; returns the files.</summary>
    public static IReadOnlyList<string> WriteAll(PatBenchmarkResult result, string directory, IReadOnlyList<string> classNames)
    {
        Directory.CreateDirectory(directory);
        var prefix = $"{result.Options.Task}-{result.Options.System}";
        var files = new List<string>
        {
            TrainingCurves(result, Path.Combine(directory, $"{prefix}-curves.png")),
            TwinParity(result, Path.Combine(directory, $"{prefix}-twin-parity.png")),
        };
        foreach (var mode in result.Options.Modes)
        {
            files.Add(Confusion(result, mode, classNames, Path.Combine(directory, $"{prefix}-confusion-{mode.Name()}.png")));
        }

        return files;
    }

    private static string TrainingCurves(PatBenchmarkResult result, string path)
    {
        var plot = new Plot();
        foreach (var mode in result.Options.Modes)
        {
            var run = result.Of(mode)[0];
            var points = run.Curve.Where(p => p.TestAccuracy is not null).ToList();
            var test = plot.Add.Scatter(points.Select(p => (double)p.Epoch).ToArray(), points.Select(p => p.TestAccuracy!.Value).ToArray());
            test.LegendText = $"{mode.Name()} (device test)";
            var trainAccuracy = plot.Add.Scatter(run.Curve.Select(p => (double)p.Epoch).ToArray(), run.Curve.Select(p => p.TrainAccuracy).ToArray());
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

    private static string TwinParity(PatBenchmarkResult result, string path)
    {
        var (measured, predicted) = result.TwinParity;
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(measured.Select(v => (double)v).ToArray(), predicted.Select(v => (double)v).ToArray());
        points.MarkerSize = 2;
        points.LegendText = "held-out drives";
        var lo = Math.Min(measured.Min(), predicted.Min());
        var hi = Math.Max(measured.Max(), predicted.Max());
        var diagonal = plot.Add.Line(lo, lo, hi, hi);
        diagonal.LegendText = "perfect twin";
        diagonal.LinePattern = LinePattern.Dashed;
        plot.Title($"Twin parity: NMSE {result.TwinValidationNmse:F4} (noise floor {result.NoiseFloorNmse:F4})");
        plot.XLabel("measured response");
        plot.YLabel("twin prediction");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 640, 600);
        return path;
    }

    private static string Confusion(PatBenchmarkResult result, TrainingMode mode, IReadOnlyList<string> classNames, string path)
    {
        var classes = classNames.Count;
        var fractions = new double[classes, classes];
        foreach (var run in result.Of(mode))
        {
            for (var t = 0; t < classes; t++)
            {
                var total = 0.0;
                for (var p = 0; p < classes; p++)
                {
                    total += run.Confusion[t, p];
                }

                for (var p = 0; p < classes; p++)
                {
                    fractions[t, p] += total > 0 ? run.Confusion[t, p] / total / result.Options.Seeds : 0;
                }
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(fractions);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        for (var t = 0; t < classes; t++)
        {
            for (var p = 0; p < classes; p++)
            {
                var label = plot.Add.Text($"{fractions[t, p]:0.00}", p, classes - 1 - t);
                label.LabelFontColor = fractions[t, p] > 0.5 ? Colors.Black : Colors.White;
                label.LabelAlignment = Alignment.MiddleCenter;
            }
        }

        var ticks = Enumerable.Range(0, classes).Select(i => new Tick(i, classNames[i])).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, classes).Select(i => new Tick(classes - 1 - i, classNames[i])).ToArray());
        plot.Title($"{mode.Name()}: confusion on the test set (rows: true class), accuracy {result.Mean(mode):P1}");
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.SavePng(path, 640, 600);
        return path;
    }
}
