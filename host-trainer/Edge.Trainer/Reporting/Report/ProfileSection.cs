using System.Text;
using Edge.Domain.Simulation.Field;

namespace Edge.Trainer.Reporting.Report;

/// <summary>
/// Lab against field: every task, device and network measured in both device profiles, side by side — the twin's
/// validation error against the noise floor, and what each training mode reaches through the part.
/// </summary>
internal static class ProfileSection
{
    private static readonly string[] Modes = ["insilico", "pat", "pat-refine", "ideal"];

    /// <summary>Appends the section when at least one run has both profiles.</summary>
    public static void Append(StringBuilder text, ReportContext context)
    {
        // Only runs with a twin-trained mode: a backprop-free run of its own has a token twin and none of the columns.
        var pairs = AccuracySections.Tasks(context.Data)
            .Where(r => Modes.Any(m => r.Mode(m) is not null))
            .GroupBy(r => (r.Task, r.System, r.Network, r.Epochs))
            .Select(g => (Lab: Latest(g, DeviceProfile.Lab), Field: Latest(g, DeviceProfile.Field)))
            .Where(p => p.Lab is not null && p.Field is not null)
            .ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        text.AppendLine("## Lab against field profile").AppendLine();
        text.AppendLine("The same recipe on a lab part (differs from its twin's equations only by values, noise and "
            + "drift) and on a field part (adds the effects in agent/Edge.Domain/Simulation/Field/README.md). "
            + "Twin NMSE is the validation error of the twin fitted on that part, the noise floor in brackets; "
            + "accuracies are device test accuracy, mean over seeds, lab → field.").AppendLine();
        text.AppendLine("| task | device | network | seeds × epochs | twin NMSE lab (floor) | twin NMSE field (floor) "
            + "| in-silico | PAT | pat-refine | ideal | files |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (lab, field) in pairs)
        {
            text.Append($"| {lab!.Task} | {lab.System} | {lab.Network} | {field!.Seeds} × {field.Epochs} "
                + $"| {Nmse(lab)} | {Nmse(field)} |");
            foreach (var mode in Modes)
            {
                text.Append($" {Change(lab.Mode(mode)?.Mean, field.Mode(mode)?.Mean)} |");
            }

            text.AppendLine($" `{Path.GetFileName(lab.File)}`, `{Path.GetFileName(field.File)}` |");
        }

        text.AppendLine();
        context.AppendNote(text, "profiles");
    }

    private static AccuracyResult? Latest(IEnumerable<AccuracyResult> results, DeviceProfile profile)
        => results.Where(r => r.Profile == profile)
            .OrderBy(r => r.Run?.Source is null ? 1 : 0)
            .ThenBy(r => r.Run?.TimestampUtc ?? string.Empty, StringComparer.Ordinal)
            .LastOrDefault();

    private static string Nmse(AccuracyResult result) => result.TwinValidationNmse is null
        ? ReportFormat.None
        : $"{ReportFormat.Fixed(result.TwinValidationNmse, 4)} ({ReportFormat.Fixed(result.NoiseFloorNmse, 4)})";

    private static string Change(double? lab, double? field)
        => lab is null && field is null
            ? ReportFormat.None
            : $"{ReportFormat.Percent(lab)} → {ReportFormat.Percent(field)}";
}
