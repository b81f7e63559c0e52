using Edge.Trainer.Training;
using ScottPlot;

namespace Edge.Trainer.Reporting;

/// <summary>The plots every report draws the same way: a row-normalised confusion matrix and a twin parity
/// plot.</summary>
public static class ChartPrimitives
{
    /// <summary>Writes a confusion heat map of <paramref name="counts"/> [true, predicted], each row
    /// normalised.</summary>
    public static string Confusion(int[,] counts, IReadOnlyList<string> classNames, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        var classes = classNames.Count;
        var fractions = new double[classes, classes];
        for (var t = 0; t < classes; t++)
        {
            var total = 0.0;
            for (var p = 0; p < classes; p++)
            {
                total += counts[t, p];
            }

            for (var p = 0; p < classes; p++)
            {
                fractions[t, p] = total > 0 ? counts[t, p] / total : 0;
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

        var bottom = new Tick[classes];
        var left = new Tick[classes];
        for (var i = 0; i < classes; i++)
        {
            bottom[i] = new Tick(i, classNames[i]);
            left[i] = new Tick(classes - 1 - i, classNames[i]);
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(bottom);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(left);
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.SavePng(path, 640, 600);
        return path;
    }

    /// <summary>Adds the device test accuracy of <paramref name="curve"/> (epochs where it was measured), shifted by
    /// <paramref name="epochOffset"/>.</summary>
    public static ScottPlot.Plottables.Scatter AddTestCurve(Plot plot, IReadOnlyList<EpochRecord> curve, string label,
        int epochOffset)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(curve);
        var epochs = new List<double>();
        var accuracy = new List<double>();
        foreach (var point in curve)
        {
            if (point.TestAccuracy is { } measured)
            {
                epochs.Add(point.Epoch + epochOffset);
                accuracy.Add(measured);
            }
        }

        var line = plot.Add.Scatter(epochs.ToArray(), accuracy.ToArray());
        line.LegendText = label;
        return line;
    }

    /// <summary>Writes measured vs twin-predicted responses against the diagonal.</summary>
    public static string TwinParity(float[] measured, float[] predicted, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(predicted);
        var x = new double[measured.Length];
        var y = new double[predicted.Length];
        double lo = double.MaxValue, hi = double.MinValue;
        for (var i = 0; i < x.Length; i++)
        {
            (x[i], y[i]) = (measured[i], predicted[i]);
            lo = Math.Min(lo, Math.Min(x[i], y[i]));
            hi = Math.Max(hi, Math.Max(x[i], y[i]));
        }

        var plot = new Plot();
        var points = plot.Add.ScatterPoints(x, y);
        points.MarkerSize = 2;
        points.LegendText = "held-out drives";
        var diagonal = plot.Add.Line(lo, lo, hi, hi);
        diagonal.LegendText = "perfect twin";
        diagonal.LinePattern = LinePattern.Dashed;
        plot.Title(title);
        plot.XLabel("measured response");
        plot.YLabel("twin prediction");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 640, 600);
        return path;
    }
}
