using Edge.Trainer.Reporting;
using ScottPlot;

namespace Edge.Demo;

/// <summary>The demo's pictures: training curves, PAT confusion, twin parity and the fleet timeline with the
/// drift.</summary>
internal static class DemoPlots
{
    public static IReadOnlyList<string> WriteAll(DemoResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string> { Curves(result, Path.Combine(directory, "training-curves.png")) };
        if (result.Pat is { } pat)
        {
            files.Add(ChartPrimitives.Confusion(pat.Confusion, result.ClassNames,
                $"PAT model through the reference agent: accuracy {pat.TestAccuracy:P1}",
                    Path.Combine(directory, "confusion-pat.png")));
        }

        if (result.TwinParity.Measured.Length > 0)
        {
            files.Add(ChartPrimitives.TwinParity(result.TwinParity.Measured, result.TwinParity.Predicted,
                $"Twin parity: NMSE {result.TwinNmse:F4} (noise floor {result.NoiseFloorNmse:F4})",
                    Path.Combine(directory, "twin-parity.png")));
        }

        if (result.Traffic.Count > 0)
        {
            files.Add(Fleet(result, Path.Combine(directory, "fleet-timeline.png")));
        }

        return files;
    }

    private static string Curves(DemoResult result, string path)
    {
        var plot = new Plot();
        if (result.InSilico is { } inSilico)
        {
            ChartPrimitives.AddTestCurve(plot, inSilico.Curve, "in-silico", 0);
        }

        if (result.Pat is { } pat)
        {
            ChartPrimitives.AddTestCurve(plot, pat.Curve, $"PAT {result.Training[0].DeviceId}", 0);
        }

        var offset = result.Settings.Epochs;
        foreach (var update in result.Updates)
        {
            ChartPrimitives.AddTestCurve(plot, update.Curve, $"field PAT {update.DeviceId} v{update.Version}", offset);
            offset += update.Curve.Count;
        }

        plot.Title("Device test accuracy during training (field updates continue after the first run)");
        plot.XLabel("epoch");
        plot.YLabel("accuracy");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 560);
        return path;
    }

    private static string Fleet(DemoResult result, string path)
    {
        var plot = new Plot();
        foreach (var device in result.Traffic.Select(t => t.DeviceId).Distinct().Order(StringComparer.Ordinal))
        {
            var rounds = result.Traffic.Where(t => t.DeviceId == device).OrderBy(t => t.Round).ToList();
            var line = plot.Add.Scatter(rounds.Select(t => (double)t.Round).ToArray(),
                rounds.Select(t => t.Accuracy).ToArray());
            line.LegendText = device + (device == result.DriftingAgent ? " (warmed)" : "");
        }

        var residual = result.Drift.Where(d => d.DeviceId == result.DriftingAgent).ToList();
        if (residual.Count > 0)
        {
            var rise = plot.Add.Scatter(residual.Select(d => (double)d.Round).ToArray(),
                residual.Select(d => (d.Nmse / (d.Baseline ?? d.Nmse)) - 1).ToArray());
            rise.LegendText = $"{result.DriftingAgent}: twin residual rise (right axis)";
            rise.LinePattern = LinePattern.Dotted;
            rise.Axes.YAxis = plot.Axes.Right;
            var threshold = plot.Add.HorizontalLine(result.Settings.DriftThreshold);
            threshold.Axes.YAxis = plot.Axes.Right;
            threshold.LinePattern = LinePattern.Dashed;
            threshold.Color = rise.Color;
            threshold.LegendText = "drift threshold (right axis)";
            plot.Axes.Right.Label.Text = "twin residual rise over its post-training level (relative)";
            plot.Axes.SetLimitsY(0,
                Math.Max(2 * result.Settings.DriftThreshold,
                    residual.Max(d => (d.Nmse / (d.Baseline ?? d.Nmse)) - 1) * 1.1), plot.Axes.Right);
        }

        if (result.DriftRound is { } drift)
        {
            plot.Add.VerticalLine(drift - 0.5).LegendText = "surroundings warm up";
        }

        foreach (var update in result.Updates.Where(u => u.Accepted))
        {
            var served = result.Traffic.Where(t => t.DeviceId == update.DeviceId && t.Version == update.Version)
                .Select(t => t.Round).DefaultIfEmpty(0).Min();
            var line = plot.Add.VerticalLine(served - 0.5);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"{update.DeviceId} v{update.Version} active";
        }

        plot.Title("Fleet: test-set accuracy per traffic round; the warmed agent is re-trained in the field");
        plot.XLabel("traffic round");
        plot.YLabel("test-set accuracy");
        plot.Axes.SetLimitsY(0, 1.05, plot.Axes.Left);
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, 900, 560);
        return path;
    }
}
