using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>One run of <c>field-update</c>: a warm-up and the field update that answered it.</summary>
/// <param name="WarmupKelvin">The ambient shift the operator published.</param>
/// <param name="Run">Run number at this warm-up.</param>
/// <param name="Before">v1's live accuracy before the warm-up.</param>
/// <param name="Drifted">The live accuracy the trainer acted on.</param>
/// <param name="Lowest">v1's lowest live accuracy after the warm-up (null: not recorded).</param>
/// <param name="After">v2's live accuracy over its first full probe window (null: never active).</param>
/// <param name="SessionBefore">The session's own device test accuracy before fine-tuning.</param>
/// <param name="SessionAfter">The same after fine-tuning.</param>
/// <param name="Accepted">The agent's verdict (null: no offer).</param>
/// <param name="Seconds">Seconds from the warm-up to each phase (null: not reached).</param>
/// <param name="Later">
/// The versions after v2 the trainer offered while the part stayed short of its reference, each with its live
/// accuracy over its first full probe window and ending with how the sessions ended ("recovered", "stalled"); empty
/// for a run that recorded none.
/// </param>
public sealed record FieldUpdateRow(
    double WarmupKelvin,
    long Run,
    double? Before,
    double? Drifted,
    double? Lowest,
    double? After,
    double? SessionBefore,
    double? SessionAfter,
    bool? Accepted,
    IReadOnlyList<double?> Seconds,
    string Later = "");

/// <summary>A <c>field-update</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Title">System, warm-ups and session in a few words.</param>
/// <param name="Summary">How the field was set up, in words.</param>
/// <param name="Rows">One per run.</param>
/// <param name="Run">How it was measured.</param>
public sealed record FieldUpdateResult(
    string File, string Title, string Summary, IReadOnlyList<FieldUpdateRow> Rows, RunInfo? Run);

/// <summary>Reads and renders <c>tests/Edge.Benchmarks -- field-update</c> results (<c>"bench": "field-update"</c>).
/// </summary>
internal static class FieldUpdateSection
{
    public const string BenchName = "field-update";

    // The phases the bench times, in the order of the operator's path, with their column titles.
    private static readonly (string Key, string Title)[] Phases =
    [
        ("status_shows_loss", "loss in status"), ("detected", "trainer decides"), ("session_start", "first PAT drive"),
        ("pat_done", "last PAT drive"), ("signed", "signed"), ("offered", "offered"), ("validated", "verdict"),
        ("activated", "v2 active"), ("recovered", "recovered"),
    ];

    public static FieldUpdateResult Parse(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<FieldUpdateRow>();
        foreach (var node in fields.Array(json, "rows"))
        {
            var row = node as JsonObject ?? throw fields.Bad("rows", "holds something that is not a JSON object");
            var seconds = fields.Object(row, "seconds");
            rows.Add(new FieldUpdateRow(
                fields.Number(row, "warmup_kelvin"),
                fields.Integer(row, "run"),
                fields.NullableNumber(row, "accuracy_before"),
                fields.NullableNumber(row, "accuracy_drifted"),
                fields.OptionalNumber(row, "accuracy_drifted_floor"),
                fields.NullableNumber(row, "accuracy_after"),
                fields.NullableNumber(row, "session_accuracy_before"),
                fields.NullableNumber(row, "session_accuracy_after"),
                JsonFields.Find(row, "accepted")?.GetValue<bool>(),
                [.. Phases.Select(p => fields.NullableNumber(seconds, p.Key))],
                Later(row, fields)));
        }

        // A null setting is serve's own default: what ships.
        var changed = new List<string>();
        if (fields.NullableInteger(json, "update_epochs") is { } epochs)
        {
            changed.Add($"{ReportFormat.Count(epochs)} PAT epochs (`--update-epochs`)");
        }

        if (fields.NullableInteger(json, "update_twin_samples") is { } twin)
        {
            changed.Add($"{ReportFormat.Count(twin)} twin drives (`--update-twin-samples`)");
        }

        var session = changed.Count == 0
            ? "serve's default session"
            : $"serve's default session except {string.Join(" and ", changed)}";
        var summary = $"One {fields.String(json, "system")} part with the product-line {fields.String(json, "task")} "
            + $"model ({fields.Integer(json, "product_line_epochs")} epochs) installed with `edge-agent models "
            + $"install`; real processes: mosquitto with the shipped configuration, `edge-agent run` (calibration "
            + $"probes every {fields.Integer(json, "probe_seconds")} s, live accuracy over "
            + $"{fields.Integer(json, "probe_window")} rounds) and `edge-trainer serve --watch` (checks every "
            + $"{fields.Integer(json, "check_every_s")} s, drop threshold "
            + $"{ReportFormat.Fixed(fields.Number(json, "drop_threshold") * 100, 0)} points, no cooldown, "
            + $"{session}); a fresh field for every run. The operator warms the part with the documented "
            + "`mosquitto_pub`; every time is seconds from that moment, read on the broker (status, PAT responses, "
            + "offer, verdict), in the trainer's log and on disk (the signed package). *Recovered*: the live "
            + "accuracy of a re-trained version (v2, or a later one where recorded) back within the drop threshold of "
            + "v1's before the warm-up. Accuracies are the agents' live "
            + "figures (the calibration set, the vowel test split, classified at each probe round, mean of the "
            + "window); *cost* is v1 before minus its lowest after the warm-up, *regained* v2 minus that lowest. "
            + "*Later versions*: where recorded, the further sessions the trainer started while the part stayed "
            + "short of its accuracy reference, each version's live accuracy over its first full window, and how "
            + "they ended (*recovered*: a check found it within the drop threshold; *stalled*: the trainer warned "
            + "that its sessions had not brought it back).";
        var warmups = string.Join(", ", rows.Select(r => Kelvin(r.WarmupKelvin)).Distinct());
        var title = $"{fields.String(json, "system")} part, {warmups}, {rows.Count} run{(rows.Count == 1 ? "" : "s")}"
            + (changed.Count == 0 ? string.Empty : $", {string.Join(", ", changed)}");
        return new FieldUpdateResult(file, title, summary, rows, run);
    }

    public static void Append(StringBuilder text, ReportContext context)
    {
        if (context.Data.FieldUpdate.Count == 0)
        {
            return;
        }

        text.AppendLine("## Field updates end to end").AppendLine();
        foreach (var result in context.Data.FieldUpdate)
        {
            text.AppendLine($"### {result.Title}").AppendLine();
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine(result.Summary).AppendLine();
            AppendTimings(text, result);
            AppendAccuracy(text, result);
            context.AppendNote(text, AccuracySections.Key(result.File));
        }
    }

    private static void AppendTimings(StringBuilder text, FieldUpdateResult result)
    {
        text.AppendLine($"| warm-up | run | {string.Join(" | ", Phases.Select(p => p.Title))} |")
            .AppendLine($"|---|---|{string.Concat(Enumerable.Repeat("---|", Phases.Length))}");
        foreach (var row in result.Rows)
        {
            var seconds = row.Seconds.Select(s => ReportFormat.Fixed(s, 1));
            text.AppendLine($"| {Kelvin(row.WarmupKelvin)}{ReportFormat.Tag(result.Run)} | {row.Run} "
                + $"| {string.Join(" | ", seconds)} |");
        }

        if (result.Rows.Count >= 3)
        {
            var medians = Enumerable.Range(0, Phases.Length)
                .Select(i => ReportFormat.Median(result.Rows.Select(r => r.Seconds[i])));
            text.AppendLine($"| **median** | {result.Rows.Count} runs "
                + $"| {string.Join(" | ", medians.Select(m => ReportFormat.Fixed(m, 1)))} |");
        }

        text.AppendLine();
    }

    private static void AppendAccuracy(StringBuilder text, FieldUpdateResult result)
    {
        text.AppendLine("| warm-up | run | live before | when the trainer acted | v1's lowest | v2 live | cost "
            + "| regained | v2 vs before | session's test accuracy before → after | verdict | later versions |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in result.Rows)
        {
            var verdict = row.Accepted switch { true => "accepted", false => "refused", null => "no offer" };
            text.AppendLine($"| {Kelvin(row.WarmupKelvin)}{ReportFormat.Tag(result.Run)} | {row.Run} "
                + $"| {ReportFormat.Percent(row.Before)} | {ReportFormat.Percent(row.Drifted)} "
                + $"| {ReportFormat.Percent(row.Lowest)} | {ReportFormat.Percent(row.After)} "
                + $"| {Points(row.Before - row.Lowest)} | {Points(row.After - row.Lowest)} "
                + $"| {Points(row.After - row.Before)} "
                + $"| {ReportFormat.Percent(row.SessionBefore)} → {ReportFormat.Percent(row.SessionAfter)} "
                + $"| {verdict} | {(row.Later.Length > 0 ? row.Later : ReportFormat.None)} |");
        }

        text.AppendLine();
    }

    // "v3 84.0 % → v4 88.2 % (recovered)" from the versions after v2 and how the sessions ended.
    private static string Later(JsonObject row, JsonFields fields)
    {
        var outcome = JsonFields.Find(row, "outcome")?.GetValue<string>();
        if (JsonFields.Find(row, "versions") is not JsonArray versions || outcome is null && versions.Count == 0)
        {
            return string.Empty;
        }

        var later = versions.OfType<JsonObject>()
            .Select(v => (Version: fields.Integer(v, "version"), Accuracy: fields.Number(v, "accuracy")))
            .Where(v => v.Version > 2)
            .Select(v => $"v{v.Version} {ReportFormat.Percent(v.Accuracy)}");
        return $"{string.Join(" → ", later)} ({outcome ?? "time limit"})".TrimStart();
    }

    private static string Kelvin(double kelvin) => $"+{ReportFormat.Fixed(kelvin, 0)} K";

    private static string Points(double? fraction) => fraction is { } f ? $"{ReportFormat.Fixed(f * 100, 1)} pts"
        : ReportFormat.None;
}
