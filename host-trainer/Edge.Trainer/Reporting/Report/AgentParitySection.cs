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
/// <param name="AgentRandomOrder">Right through <c>edge-agent classify</c>, recordings in a seeded random order.</param>
/// <param name="AgentNameOrder">The same in name order (each digit in a row), if measured.</param>
public sealed record AgentParityRow(
    string Speaker,
    double BenchPat,
    double? BenchDigital,
    double Pipeline,
    string TrainedPart,
    string AgentPart,
    double AgentRandomOrder,
    double? AgentNameOrder)
{
    /// <summary>Whether the agent hosts the part the network was trained through.</summary>
    public bool OnTrainedPart => string.Equals(TrainedPart, AgentPart, StringComparison.Ordinal);
}

/// <summary>A <c>loso-agent</c> result: each fold packaged and its held-out speaker classified by real agents.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="System">Physical system.</param>
/// <param name="Rows">One per fold and agent part.</param>
/// <param name="Run">How it was measured.</param>
public sealed record AgentParityResult(string File, string System, IReadOnlyList<AgentParityRow> Rows, RunInfo? Run)
{
    /// <summary>Mean over folds of the agent on the trained part, random order (null without such rows).</summary>
    public double? TrainedPartMean => Mean(Rows.Where(r => r.OnTrainedPart));

    /// <summary>Mean over folds and other parts of the agent, random order (null without such rows).</summary>
    public double? OtherPartsMean => Mean(Rows.Where(r => !r.OnTrainedPart));

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
                fields.NullableNumber(row, "agent_name_order")));
        }

        return new AgentParityResult(file, fields.String(json, "system"), rows, run);
    }

    /// <summary>The latest result for <paramref name="system"/> with rows on the trained part, or null.</summary>
    public static AgentParityResult? Latest(BenchData data, string system)
        => data.AgentParity
            .Where(r => r.System == system && r.TrainedPartMean is not null)
            .OrderBy(r => r.Run?.TimestampUtc ?? string.Empty, StringComparer.Ordinal)
            .LastOrDefault();

    public static void Append(StringBuilder text, ReportContext context)
    {
        if (context.Data.AgentParity.Count == 0)
        {
            return;
        }

        text.AppendLine("## Unseen speakers through the agent (leave-one-speaker-out deployment parity)").AppendLine();
        foreach (var result in context.Data.AgentParity)
        {
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine($"Each fold's recipe (PAT, seed 0) rebuilt as `edge-trainer package --recipe` rebuilds it, "
                + "installed with `edge-agent models install` on an agent per part, and the held-out speaker's 500 "
                + "recordings classified by one `edge-agent classify` process (running device statistics from a cold "
                + "start), in a seeded random order and, on the trained part, in name order (each digit in a row).")
                .AppendLine();
            text.AppendLine("| held-out speaker | bench PAT | bench digital | rebuilt | agent part | agent (random order) "
                + "| agent (name order) |").AppendLine("|---|---|---|---|---|---|---|");
            foreach (var row in result.Rows)
            {
                var part = row.OnTrainedPart ? $"{row.AgentPart} (trained on)" : row.AgentPart;
                text.AppendLine($"| {row.Speaker}{ReportFormat.Tag(result.Run)} | {ReportFormat.Percent(row.BenchPat)} "
                    + $"| {ReportFormat.Percent(row.BenchDigital)} | {ReportFormat.Percent(row.Pipeline)} | {part} "
                    + $"| **{ReportFormat.Percent(row.AgentRandomOrder)}** | {ReportFormat.Percent(row.AgentNameOrder)} |");
            }

            text.AppendLine();
            text.AppendLine($"Mean through the agent: {ReportFormat.Percent(result.TrainedPartMean)} on the trained part, "
                + $"{ReportFormat.Percent(result.OtherPartsMean)} on the other parts (not commissioned).").AppendLine();
            context.AppendNote(text, Path.GetFileNameWithoutExtension(result.File));
        }
    }
}
