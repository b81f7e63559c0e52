using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>One held-out speaker on one agent part of a <c>loso-agent</c> result.</summary>
/// <param name="Speaker">The held-out speaker.</param>
/// <param name="BenchPat">The fold's PAT figure in its bench JSON (mean over its seeds).</param>
/// <param name="BenchDigital">The fold's digital network of the same parameter count, if benched.</param>
/// <param name="Pipeline">The rebuilt network's figure (PAT, seed 0, the simulated trained part).</param>
/// <param name="TrainedPart">The part the network was trained through.</param>
/// <param name="AgentPart">The part the agent hosts.</param>
/// <param name="AgentRandomOrder">
/// Right through <c>edge-agent classify</c>, recordings in a seeded random order.
/// </param>
/// <param name="AgentNameOrder">The same in name order (each digit in a row), if measured.</param>
/// <param name="InNoise">
/// The random order again with room noise mixed in, by condition (<c>"white 10 dB"</c>); empty if not measured.
/// </param>
public sealed record AgentParityRow(
    string Speaker,
    double BenchPat,
    double? BenchDigital,
    double Pipeline,
    string TrainedPart,
    string AgentPart,
    double AgentRandomOrder,
    double? AgentNameOrder,
    IReadOnlyDictionary<string, double> InNoise)
{
    /// <summary>Whether the agent hosts the part the network was trained through.</summary>
    public bool OnTrainedPart => string.Equals(TrainedPart, AgentPart, StringComparison.Ordinal);

    /// <summary>The part's commissioning and the agent's figure after it, if it was commissioned.</summary>
    public AgentParityCommissioning? Commissioned { get; init; }
}

/// <summary>A part of a <c>loso-agent --commission</c> row commissioned as <c>serve --commission</c> does.</summary>
/// <param name="State">The ledger's state: commissioned, refused or failed.</param>
/// <param name="Seconds">Wall time of the commissioning (twin, fine-tune, signing, the agent's verdict).</param>
/// <param name="CalibrationBefore">The session's test-split accuracy through the part before its fine-tune.</param>
/// <param name="CalibrationAfter">The same after the fine-tune.</param>
/// <param name="AgentRandomOrder">
/// Right through <c>edge-agent classify</c> after the agent accepted the package (random order); null if it did not.
/// </param>
public sealed record AgentParityCommissioning(
    string State, double Seconds, double? CalibrationBefore, double? CalibrationAfter, double? AgentRandomOrder);

/// <summary>A <c>loso-agent</c> result: each fold packaged, its held-out speaker classified by real agents.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="System">Physical system.</param>
/// <param name="Rows">One per fold and agent part.</param>
/// <param name="Run">How it was measured.</param>
public sealed record AgentParityResult(string File, string System, IReadOnlyList<AgentParityRow> Rows, RunInfo? Run);

/// <summary>What the headline says of a device: every fold and part's latest row, across result files.</summary>
/// <param name="Rows">The latest row per held-out speaker and agent part.</param>
public sealed record AgentParitySummary(IReadOnlyList<AgentParityRow> Rows)
{
    /// <summary>Mean over folds of the agent on the trained part, random order (null without such rows).</summary>
    public double? TrainedPartMean => Mean(Rows.Where(r => r.OnTrainedPart));

    /// <summary>Mean over folds and other parts of the agent, random order (null without such rows).</summary>
    public double? OtherPartsMean => Mean(Rows.Where(r => !r.OnTrainedPart));

    /// <summary>Held-out speakers measured on the trained part.</summary>
    public int Folds => Rows.Count(r => r.OnTrainedPart);

    private static double? Mean(IEnumerable<AgentParityRow> rows)
        => rows.Select(r => r.AgentRandomOrder).DefaultIfEmpty(double.NaN).Average() is var m && double.IsFinite(m)
            ? m
            : null;
}

/// <summary>Reads and renders <c>loso-agent</c> results (<c>"bench": "loso-agent"</c>).</summary>
internal static class AgentParitySection
{
    public const string BenchName = "loso-agent";

    public static AgentParityResult Parse(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<AgentParityRow>();
        foreach (var node in fields.Array(json, "rows"))
        {
            var row = node as JsonObject ?? throw fields.Bad("rows", "holds something that is not a JSON object");
            rows.Add(new AgentParityRow(
                fields.String(row, "speaker"),
                fields.Number(row, "bench_pat"),
                fields.NullableNumber(row, "bench_digital"),
                fields.Number(row, "pipeline"),
                fields.String(row, "trained_part"),
                fields.String(row, "agent_part"),
                fields.Number(row, "agent_random_order"),
                fields.NullableNumber(row, "agent_name_order"),
                InNoise(row, fields))
            {
                Commissioned = Commissioned(row, fields),
            });
        }

        return new AgentParityResult(file, fields.String(json, "system"), rows, run);
    }

    private static AgentParityCommissioning? Commissioned(JsonObject row, JsonFields fields)
    {
        const string Key = "commissioned";
        if (JsonFields.Find(row, Key) is null)
        {
            return null;
        }

        var commissioned = fields.Object(row, Key);
        return new AgentParityCommissioning(
            fields.String(commissioned, "state"),
            fields.Number(commissioned, "seconds"),
            fields.NullableNumber(commissioned, "calibration_before"),
            fields.NullableNumber(commissioned, "calibration_after"),
            fields.NullableNumber(commissioned, "agent_random_order"));
    }

    private static Dictionary<string, double> InNoise(JsonObject row, JsonFields fields)
    {
        const string Key = "agent_random_order_noisy";
        var noisy = JsonFields.Find(row, Key) is null ? new JsonObject() : fields.Object(row, Key);
        return noisy.ToDictionary(c => c.Key, c => fields.Fraction(c.Value, Key), StringComparer.Ordinal);
    }

    /// <summary>
    /// The latest row per held-out speaker and part of every result for <paramref name="system"/> (folds may be
    /// measured one file each), or null when none is on the trained part.
    /// </summary>
    public static AgentParitySummary? Latest(BenchData data, string system)
    {
        var rows = data.AgentParity
            .Where(r => r.System == system)
            .OrderBy(r => r.Run?.TimestampUtc ?? string.Empty, StringComparer.Ordinal)
            .SelectMany(r => r.Rows)
            .GroupBy(r => (r.Speaker, r.AgentPart))
            .Select(g => g.Last())
            .ToList();
        var summary = new AgentParitySummary(rows);
        return summary.TrainedPartMean is null ? null : summary;
    }

    public static void Append(StringBuilder text, ReportContext context)
    {
        if (context.Data.AgentParity.Count == 0)
        {
            return;
        }

        text.AppendLine("## Unseen speakers through the agent (leave-one-speaker-out deployment parity)").AppendLine();
        text.AppendLine($"Each fold's recipe (PAT, seed 0) rebuilt as `edge-trainer package --recipe` rebuilds it, "
            + "installed with `edge-agent models install` on an agent per part, and the held-out speaker's 500 "
            + "recordings classified by one `edge-agent classify` process (running device statistics from a cold "
            + "start), in a seeded random order and, on the trained part, in name order (each digit in a row).")
            .AppendLine();
        foreach (var result in context.Data.AgentParity)
        {
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine("| held-out speaker | bench PAT | bench digital | rebuilt | agent part "
                + "| agent (random order) | agent (name order) |").AppendLine("|---|---|---|---|---|---|---|");
            foreach (var row in result.Rows)
            {
                var part = row.OnTrainedPart ? $"{row.AgentPart} (trained on)" : row.AgentPart;
                text.AppendLine($"| {row.Speaker}{ReportFormat.Tag(result.Run)} | {ReportFormat.Percent(row.BenchPat)} "
                    + $"| {ReportFormat.Percent(row.BenchDigital)} | {ReportFormat.Percent(row.Pipeline)} | {part} "
                    + $"| **{ReportFormat.Percent(row.AgentRandomOrder)}** "
                    + $"| {ReportFormat.Percent(row.AgentNameOrder)} |");
            }

            text.AppendLine();
            AppendInNoise(text, result);
            AppendCommissioned(text, result);
        }

        foreach (var system in context.Data.AgentParity.Select(r => r.System).Distinct())
        {
            if (Latest(context.Data, system) is { } summary)
            {
                text.AppendLine($"**{system}**, the latest row per fold and part: mean through the agent "
                    + $"{ReportFormat.Percent(summary.TrainedPartMean)} over {summary.Folds} held-out speakers on the "
                    + $"trained part, {ReportFormat.Percent(summary.OtherPartsMean)} on the other parts "
                    + "(not commissioned).").AppendLine();
            }
        }

        context.AppendNote(text, BenchName);
    }

    // The other parts after commissioning (--commission): the session's calibration figures and the agent's.
    private static void AppendCommissioned(StringBuilder text, AgentParityResult result)
    {
        var rows = result.Rows.Where(r => r.Commissioned is not null).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        text.AppendLine("Commissioned (`--commission`: the part's own twin, a short PAT fine-tune through its agent, a "
            + "package signed for it, as `serve --commission` does; calibration = the session's test-split figure "
            + "through the part before and after its fine-tune):").AppendLine();
        text.AppendLine("| held-out speaker | agent part | agent before | calibration before | calibration after "
            + "| agent after | state | seconds |").AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var c = row.Commissioned!;
            text.AppendLine($"| {row.Speaker} | {row.AgentPart} | {ReportFormat.Percent(row.AgentRandomOrder)} "
                + $"| {ReportFormat.Percent(c.CalibrationBefore)} | {ReportFormat.Percent(c.CalibrationAfter)} "
                + $"| **{ReportFormat.Percent(c.AgentRandomOrder)}** | {c.State} "
                + $"| {c.Seconds.ToString("F0", CultureInfo.InvariantCulture)} |");
        }

        text.AppendLine();
    }

    // The trained part's rows again with room noise mixed into the held-out words, one column per condition.
    private static void AppendInNoise(StringBuilder text, AgentParityResult result)
    {
        var rows = result.Rows.Where(r => r.InNoise.Count > 0).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var conditions = rows.SelectMany(r => r.InNoise.Keys).Distinct().ToList();
        text.AppendLine("In room noise (the same words and order, noise mixed in at the stated SNR and written as "
            + "16-bit WAV files; `--noise`):").AppendLine();
        text.AppendLine("| held-out speaker | clean | " + string.Join(" | ", conditions) + " |")
            .AppendLine("|---|---|" + string.Concat(conditions.Select(_ => "---|")));
        foreach (var row in rows)
        {
            text.AppendLine($"| {row.Speaker} | {ReportFormat.Percent(row.AgentRandomOrder)} | "
                + string.Join(" | ", conditions.Select(c => ReportFormat.Percent(
                    row.InNoise.TryGetValue(c, out var a) ? a : (double?)null))) + " |");
        }

        if (rows.Count > 1)
        {
            text.AppendLine($"| **mean** | {ReportFormat.Percent(rows.Average(r => r.AgentRandomOrder))} | "
                + string.Join(" | ", conditions.Select(c => ReportFormat.Percent(
                    rows.Where(r => r.InNoise.ContainsKey(c)).Average(r => r.InNoise[c])))) + " |");
        }

        text.AppendLine();
    }
}
