using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>One change of the grid under the chosen setting, over every seed.</summary>
/// <param name="Change">What changed, in words.</param>
/// <param name="Costs">Test accuracy lost, per seed.</param>
/// <param name="Detected">Seeds on which a check alarmed after the change.</param>
/// <param name="Seeds">Seeds run.</param>
/// <param name="Seconds">Time to detect per seed (null: not detected).</param>
/// <param name="FalseAlarms">False alarm onsets over the seeds.</param>
/// <param name="QuietShift">Largest class-mix distance before the change.</param>
/// <param name="FinalShift">Class-mix distance at the end, per seed.</param>
public sealed record LiveDriftChangeRow(
    string Change,
    IReadOnlyList<double> Costs,
    int Detected,
    int Seeds,
    IReadOnlyList<double?> Seconds,
    long FalseAlarms,
    double QuietShift,
    IReadOnlyList<double> FinalShift);

/// <summary>One setting scored by <c>bench drift --score live</c>.</summary>
/// <param name="Label">Probe schedule, window, reference rounds and threshold in words.</param>
/// <param name="MustDetect">Changes costing ≥ 3 points, over all seeds.</param>
/// <param name="InTime">Of those, detected within 5 minutes.</param>
/// <param name="WorstSeconds">Longest time to detect one of them (null: one was never detected).</param>
/// <param name="SmallAlarmed">Changes costing under 1 point that alarmed.</param>
/// <param name="FalseAlarmsPerDay">False alarm onsets per simulated day of quiet time.</param>
/// <param name="MeetsTarget">True when it met the target.</param>
/// <param name="Mark">chosen, before, or empty.</param>
public sealed record LiveDriftSettingRow(
    string Label,
    int MustDetect,
    int InTime,
    double? WorstSeconds,
    int SmallAlarmed,
    double FalseAlarmsPerDay,
    bool MeetsTarget,
    string Mark);

/// <summary>A <c>bench drift --score live</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Summary">How the field was replayed, in words.</param>
/// <param name="Chosen">The chosen setting in words (null: none met the target).</param>
/// <param name="Rows">The chosen setting's rows, one per change.</param>
/// <param name="Settings">Every setting scored.</param>
/// <param name="Run">How it was measured.</param>
public sealed record LiveDriftResult(
    string File,
    string Summary,
    string? Chosen,
    IReadOnlyList<LiveDriftChangeRow> Rows,
    IReadOnlyList<LiveDriftSettingRow> Settings,
    RunInfo? Run);

/// <summary>Reads and renders <c>bench drift --score live</c> results (<c>"bench": "drift-live-accuracy"</c>).
/// </summary>
internal static class LiveDriftSection
{
    public const string BenchName = "drift-live-accuracy";

    public static LiveDriftResult Parse(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var chosen = JsonFields.Find(json, "chosen") as JsonObject;
        var previous = fields.Object(json, "previous");
        var settings = new List<LiveDriftSettingRow>();
        IReadOnlyList<LiveDriftChangeRow> rows = [];
        foreach (var node in fields.Array(json, "settings"))
        {
            var setting = node as JsonObject ?? throw fields.Bad("settings", "holds something that is not an object");
            var settingRows = fields.Array(setting, "rows").Select(r => r as JsonObject
                ?? throw fields.Bad("settings.rows", "holds something that is not an object")).ToList();
            var isChosen = chosen is not null && Same(fields, setting, chosen);
            var mark = isChosen ? "chosen" : Same(fields, setting, previous) ? "before" : string.Empty;
            settings.Add(Setting(fields, setting, settingRows, mark));
            if (isChosen)
            {
                rows = Changes(fields, settingRows);
            }
        }

        var seeds = fields.Array(json, "seeds").Count;
        var trained = fields.Array(json, "trained_accuracy")
            .Select(a => ReportFormat.Percent(fields.NumberOf(a, "trained_accuracy")));
        var summary = $"Electronic part, vowel model trained on it ({seeds} seeds: {string.Join(", ", trained)} test "
            + $"accuracy); the agent's calibration set is the {fields.Integer(json, "calibration_examples")}-example "
            + $"test split, classified once per probe round (one example = "
            + $"{ReportFormat.Fixed(100.0 / fields.Integer(json, "calibration_examples"), 1)} points); "
            + $"{ReportFormat.Fixed(fields.Number(json, "inferences_per_s"), 0)} inference/s of traffic drawn from "
            + $"the test set; the trainer reads the status every "
            + $"{ReportFormat.Fixed(fields.Number(json, "check_interval_s"), 0)} s. Each change comes "
            + $"{ReportFormat.Fixed(fields.Number(json, "quiet_minutes"), 0)} quiet minutes after activation and is "
            + $"followed for {ReportFormat.Fixed(fields.Number(json, "changed_minutes"), 0)} minutes; \"no change\" "
            + $"runs {ReportFormat.Fixed(fields.Number(json, "no_change_minutes") / 60, 0)} simulated hours.";
        var chosenLabel = chosen is null ? null : Label(fields, chosen);
        return new LiveDriftResult(file, summary, chosenLabel, rows, settings, run);
    }

    public static void Append(StringBuilder text, ReportContext context)
    {
        foreach (var result in context.Data.LiveDrift)
        {
            text.AppendLine("### The agent's live accuracy as the watch reads it").AppendLine();
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine(result.Summary).AppendLine();
            text.AppendLine(result.Chosen is { } chosen
                ? $"Chosen (the shipped defaults): {chosen}."
                : "No setting met the target.").AppendLine();
            text.AppendLine("| change | accuracy cost per seed | detected | time to detect per seed | false alarms "
                + "| class shift: quiet max → after |").AppendLine("|---|---|---|---|---|---|");
            foreach (var row in result.Rows)
            {
                var costs = string.Join(" / ", row.Costs.Select(c => ReportFormat.Fixed(c * 100, 1)));
                var time = row.Detected == 0
                    ? "–"
                    : string.Join(" / ", row.Seconds.Select(s => s is { } t ? ReportFormat.Fixed(t, 0) : "–")) + " s";
                var detected = row.Detected == 0 ? "no" : $"**{row.Detected}/{row.Seeds}**";
                var shifts = string.Join(" / ", row.FinalShift.Select(v => ReportFormat.Fixed(v, 2)));
                text.AppendLine($"| {row.Change}{ReportFormat.Tag(result.Run)} | {costs} pts | {detected} | {time} "
                    + $"| {row.FalseAlarms} | {ReportFormat.Fixed(row.QuietShift, 2)} → {shifts} |");
            }

            text.AppendLine().AppendLine("Every setting scored on the same recorded rounds:").AppendLine();
            text.AppendLine("| setting | ≥ 3-pt changes detected within 5 min | worst time | < 1-pt changes alarmed "
                + "| false alarms per day | target |").AppendLine("|---|---|---|---|---|---|");
            foreach (var s in result.Settings)
            {
                var mark = s.Mark.Length == 0 ? string.Empty : $" (**{s.Mark}**)";
                var worst = s.WorstSeconds is { } w ? $"{ReportFormat.Fixed(w, 0)} s" : "never";
                text.AppendLine($"| {s.Label}{mark} | {s.InTime}/{s.MustDetect} | {worst} | {s.SmallAlarmed} "
                    + $"| {ReportFormat.Fixed(s.FalseAlarmsPerDay, 2)} | {(s.MeetsTarget ? "met" : "–")} |");
            }

            text.AppendLine();
            context.AppendNote(text, AccuracySections.Key(result.File));
        }
    }

    private static bool Same(JsonFields fields, JsonObject a, JsonObject b) =>
        Label(fields, a) == Label(fields, b);

    private static string Label(JsonFields fields, JsonObject setting) =>
        $"probes every {ReportFormat.Fixed(fields.Number(setting, "probe_s"), 0)} s, window "
        + $"{fields.Integer(setting, "window")}, reference {fields.Integer(setting, "reference_rounds")} "
        + $"round{(fields.Integer(setting, "reference_rounds") == 1 ? string.Empty : "s")}, drop ≥ "
        + $"{ReportFormat.Fixed(fields.Number(setting, "threshold") * 100, 1)} pts";

    private static LiveDriftSettingRow Setting(
        JsonFields fields, JsonObject setting, List<JsonObject> rows, string mark)
    {
        var must = rows.Where(r => fields.Number(r, "accuracy_cost") >= 0.03).ToList();
        var times = must.Select(r => fields.NullableNumber(r, "seconds_to_detect")).ToList();
        var inTime = times.Count(t => t <= 300);
        double? worst = times.Count == 0 ? 0 : times.Any(t => t is null) ? null : times.Max();
        var small = rows.Count(r => fields.Number(r, "accuracy_cost") < 0.01 && Detected(fields, r));
        var met = JsonFields.Find(setting, "meets_target")?.GetValue<bool>()
            ?? throw fields.Bad("settings.meets_target", "is missing");
        return new LiveDriftSettingRow(
            Label(fields, setting), must.Count, inTime, worst, small,
            fields.Number(setting, "false_alarms_per_day"), met, mark);
    }

    private static List<LiveDriftChangeRow> Changes(JsonFields fields, List<JsonObject> rows) =>
        rows.GroupBy(r => $"{fields.String(r, "kind")}: {fields.String(r, "change")}")
            .Select(g =>
            {
                return new LiveDriftChangeRow(
                    g.Key,
                    [.. g.Select(r => fields.Number(r, "accuracy_cost"))],
                    g.Count(r => Detected(fields, r)),
                    g.Count(),
                    [.. g.Select(r => fields.NullableNumber(r, "seconds_to_detect"))],
                    g.Sum(r => fields.Integer(r, "false_alarms")),
                    g.Max(r => fields.Number(r, "quiet_class_shift")),
                    [.. g.Select(r => fields.Number(r, "final_class_shift"))]);
            })
            .ToList();

    private static bool Detected(JsonFields fields, JsonObject row) =>
        JsonFields.Find(row, "detected")?.GetValue<bool>() ?? throw fields.Bad("rows.detected", "is missing");
}
