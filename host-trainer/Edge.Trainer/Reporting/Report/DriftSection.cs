using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>One change of a <c>bench drift</c> result.</summary>
/// <param name="Kind">What changed (temperature, ageing, settling, gain, part swap, none).</param>
/// <param name="Change">The change in words.</param>
/// <param name="Cost">Test accuracy lost.</param>
/// <param name="Detected">Whether the score fired after the change.</param>
/// <param name="SecondsToDetect">Simulated seconds to the first alarm.</param>
/// <param name="FalseAlarms">Alarms before the change, plus any after a change costing under one point.</param>
public sealed record DriftRow(
    string Kind, string Change, double Cost, bool Detected, double? SecondsToDetect, long FalseAlarms);

/// <summary>A <c>bench drift</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Summary">How the score was run, in words.</param>
/// <param name="Rows">One per change.</param>
/// <param name="Run">How it was measured.</param>
public sealed record DriftResult(string File, string Summary, IReadOnlyList<DriftRow> Rows, RunInfo? Run);

/// <summary>Reads and renders <c>bench drift</c> results (<c>"bench": "drift-detection"</c>).</summary>
internal static class DriftSection
{
    public const string BenchName = "drift-detection";

    public static DriftResult Parse(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<DriftRow>();
        foreach (var node in fields.Array(json, "rows"))
        {
            var row = node as JsonObject ?? throw fields.Bad("rows", "holds something that is not a JSON object");
            var detected = JsonFields.Find(row, "detected")?.GetValue<bool>()
                ?? throw fields.Bad("rows.detected", "is missing");
            rows.Add(new DriftRow(
                fields.String(row, "kind"),
                fields.String(row, "change"),
                fields.Number(row, "accuracy_cost"),
                detected,
                fields.NullableNumber(row, "seconds_to_detect"),
                fields.Integer(row, "false_alarms")));
        }

        var trained = ReportFormat.Percent(fields.Number(json, "trained_accuracy"));
        var interval = ReportFormat.Fixed(fields.Number(json, "check_interval_s"), 0);
        var traffic = ReportFormat.Fixed(fields.Number(json, "inferences_per_s"), 0);
        var summary = $"Electronic part, vowel model trained on it ({trained} test accuracy); "
            + $"{fields.Integer(json, "probes")} labelled probes × {fields.Integer(json, "probe_passes")} passes "
            + $"played at every check, one check every {interval} s of "
            + $"simulated time with {traffic} inference/s of traffic; "
            + $"logits averaged over the last {fields.Integer(json, "window")} checks; drift = probe accuracy down by "
            + $"≥ {ReportFormat.Percent(fields.Number(json, "drop_threshold"))} with McNemar z ≥ "
            + $"{ReportFormat.Fixed(fields.Number(json, "minimum_z"), 1)}. "
            + $"{fields.Integer(json, "quiet_checks")} quiet checks "
            + $"before each change, {fields.Integer(json, "changed_checks")} after it.";
        return new DriftResult(file, summary, rows, run);
    }

    public static void Append(StringBuilder text, ReportContext context)
    {
        if (context.Data.Drift.Count == 0)
        {
            return;
        }

        text.AppendLine("## Drift detection").AppendLine();
        foreach (var result in context.Data.Drift)
        {
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine(result.Summary).AppendLine();
            text.AppendLine("| change | accuracy cost | detected | time to detect | false alarms |")
                .AppendLine("|---|---|---|---|---|");
            foreach (var row in result.Rows)
            {
                var time = row.SecondsToDetect is { } s ? $"{ReportFormat.Fixed(s, 0)} s" : "–";
                var cost = $"{ReportFormat.Fixed(row.Cost * 100, 1)} pts";
                text.AppendLine(
                    $"| {row.Kind}: {row.Change}{ReportFormat.Tag(result.Run)} | {cost} "
                    + $"| {(row.Detected ? "**yes**" : "no")} "
                    + $"| {time} | {row.FalseAlarms} |");
            }

            text.AppendLine();
            context.AppendNote(text, AccuracySections.Key(result.File));
        }
    }
}
