using System.Globalization;
using System.Text;
using Edge.Domain.Simulation.Field;

namespace Edge.Trainer.Reporting.Report;

/// <summary>
/// Every way to train, side by side: for each run that includes a backprop-free mode (dfa, local, zo), and every run
/// of the same task, part, profile and epochs, every mode's device accuracy beside the training passes through the
/// device it needed to come within a point of that accuracy, on lab and field parts.
/// </summary>
internal static class ModeComparisonSection
{
    private static readonly string[] Modes =
        ["insilico", "pat", "pat-refine", "ideal", "dfa", "local", "zo", "digital"];
    private static readonly string[] BackpropFree = ["dfa", "local", "zo"];

    /// <summary>Appends the section when at least one run has a backprop-free mode.</summary>
    public static void Append(StringBuilder text, ReportContext context)
    {
        // A backprop-free mode is often run on its own (it needs no twin); the runs of the other modes with the same
        // task, part, profile and epochs are its comparison, so they get rows too.
        var results = AccuracySections.Tasks(context.Data).ToList();
        var compared = results.Where(r => BackpropFree.Any(m => r.Mode(m) is not null))
            .Select(r => (r.Task, r.System, r.Profile, r.Epochs))
            .ToHashSet();
        var rows = results.Where(r => compared.Contains((r.Task, r.System, r.Profile, r.Epochs)))
            .OrderBy(r => r.Task, StringComparer.Ordinal)
            .ThenBy(r => r.System, StringComparer.Ordinal)
            .ThenBy(r => r.Profile)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        text.AppendLine("## Every training mode: accuracy and device passes").AppendLine();
        text.AppendLine("Device test accuracy (mean over seeds) and, after the dot, the training passes through the "
            + "device each mode needed to come within one point of its final accuracy (mean over seeds; in-silico "
            + "and digital train without the device). *backprop-free ÷ PAT* is the lowest of dfa, local and zo "
            + "against PAT.").AppendLine();
        text.AppendLine("| task | device | profile | seeds × epochs | twin NMSE (floor) | in-silico | PAT | pat-refine "
            + "| ideal | dfa | local | zo | digital | backprop-free ÷ PAT | file |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var nmse = row.TwinValidationNmse is null ? ReportFormat.None
                : $"{ReportFormat.Fixed(row.TwinValidationNmse, 4)} ({ReportFormat.Fixed(row.NoiseFloorNmse, 4)})";
            text.Append($"| {row.Task} | {row.System} | {row.Profile.Name()} | {row.Seeds} × {row.Epochs} | {nmse} |");
            foreach (var mode in Modes)
            {
                text.Append($" {Cell(row, mode)} |");
            }

            text.AppendLine($" {Ratio(row)} | `{Path.GetFileName(row.File)}` |");
        }

        text.AppendLine();
        var plots = rows.Select(r => $"{Path.GetFileNameWithoutExtension(r.File)}-passes.png")
            .Where(context.Images.Contains)
            .Select(png => $"![{Path.GetFileNameWithoutExtension(png)}]({context.ImageLink}{png})")
            .ToList();
        if (plots.Count > 0)
        {
            text.AppendLine("Accuracy against device passes, one plot per run:").AppendLine()
                .AppendLine(string.Join(' ', plots)).AppendLine();
        }

        context.AppendNote(text, "modes");
    }

    private static string Cell(AccuracyResult row, string mode)
    {
        if (row.Mode(mode) is not { } accuracy)
        {
            return ReportFormat.None;
        }

        var toFinal = row.Details.Runs.Where(r => r.Mode == mode && r.DrivesToFinal is not null)
            .Select(r => (double)r.DrivesToFinal!.Value)
            .ToList();
        var passes = toFinal.Count == 0 || toFinal.Average() == 0 ? string.Empty : $" · {Compact(toFinal.Average())}";
        return ReportFormat.Percent(accuracy.Mean) + passes;
    }

    private static string Ratio(AccuracyResult row)
    {
        if (row.Mode("pat") is not { Mean: > 0 } pat)
        {
            return ReportFormat.None;
        }

        var modes = BackpropFree.Select(row.Mode).OfType<ModeAccuracy>().ToList();
        return modes.Count == 0 ? ReportFormat.None : ReportFormat.Fixed(modes.Min(m => m.Mean) / pat.Mean, 2);
    }

    private static string Compact(double passes) => passes switch
    {
        >= 1e6 => (passes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (passes / 1e3).ToString("0", CultureInfo.InvariantCulture) + "k",
        _ => passes.ToString("0", CultureInfo.InvariantCulture),
    };
}
