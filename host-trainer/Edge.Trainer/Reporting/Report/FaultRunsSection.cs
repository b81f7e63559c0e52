using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>One repetition of one fault row, as the fault bench wrote it.</summary>
/// <param name="Answered">Drives the agents replied to.</param>
/// <param name="Stored">Of those, distinct drives in the trainer's store.</param>
/// <param name="Pending">Answered, not stored, still waiting in an agent's outbox when counted.</param>
/// <param name="Duplicated">Extra stored copies of a drive.</param>
/// <param name="Recovery">Seconds from the fault to the first stored post-fault answer (null: none).</param>
/// <param name="Drain">Seconds from the end of traffic to a complete store (null: never).</param>
/// <param name="AgentRestarts">Agent exits the bench did not cause.</param>
/// <param name="Seconds">Seconds the repetition took (null: not recorded).</param>
public sealed record FaultRepetition(
    long Answered, long Stored, long Pending, long Duplicated, double? Recovery, double? Drain, long AgentRestarts,
    double? Seconds);

/// <summary>The runs of one row in one file.</summary>
/// <param name="Row">Row name (e.g. <c>agent-kill</c>).</param>
/// <param name="Fault">The fault in words.</param>
/// <param name="Repetitions">The runs that counted.</param>
/// <param name="FailedRuns">Runs that ended in an error instead of a count.</param>
public sealed record FaultRowRuns(string Row, string Fault, IReadOnlyList<FaultRepetition> Repetitions, int FailedRuns);

/// <summary>One invocation of the fault bench whose runs add up with the others'.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Commit">The commit the bench was built from (null: not recorded).</param>
/// <param name="Rows">Per row, its runs.</param>
/// <param name="Run">How it was measured.</param>
public sealed record FaultRunFile(string File, string? Commit, IReadOnlyList<FaultRowRuns> Rows, RunInfo? Run);

/// <summary>One row summed over every file.</summary>
/// <param name="Row">Row name.</param>
/// <param name="Fault">The fault in words.</param>
/// <param name="Repetitions">Every run of the row, in file order.</param>
/// <param name="FailedRuns">Runs that ended in an error, summed.</param>
/// <param name="Commits">The commits the runs came from, in file order, with their runs.</param>
public sealed record FaultRowTally(
    string Row, string Fault, IReadOnlyList<FaultRepetition> Repetitions, int FailedRuns,
    IReadOnlyList<(string Commit, int Runs)> Commits)
{
    /// <summary>Runs counted.</summary>
    public int Runs => Repetitions.Count;

    /// <summary>Answered drives.</summary>
    public long Answered => Repetitions.Sum(r => r.Answered);

    /// <summary>Answered drives in the store.</summary>
    public long Stored => Repetitions.Sum(r => r.Stored);

    /// <summary>Answered drives not in the store.</summary>
    public long Lost => Answered - Stored;

    /// <summary>Of the lost, those still in an agent's outbox when counted.</summary>
    public long Pending => Repetitions.Sum(r => r.Pending);

    /// <summary>Extra stored copies.</summary>
    public long Duplicated => Repetitions.Sum(r => r.Duplicated);

    /// <summary>Agent exits the bench did not cause.</summary>
    public long AgentRestarts => Repetitions.Sum(r => r.AgentRestarts);
}

/// <summary>
/// The fault bench's runs added up across invocations: every <c>"bench": "faults"</c> file under
/// <see cref="Folder"/> (one per invocation, the bench's own volume) is summed row by row, with the commits the runs
/// came from, so the issue's runs per row can be reached over several sessions without one file holding them all.
/// </summary>
internal static class FaultRunsSection
{
    /// <summary>The data subfolder whose fault bench files add up.</summary>
    public const string Folder = "faults-runs";

    /// <summary>The <c>bench</c> value of a fault bench file.</summary>
    public const string BenchName = "faults";

    /// <summary>True when <paramref name="file"/> (relative to the data folder) is one of the runs that add up.
    /// </summary>
    public static bool Holds(string file) => file.StartsWith(Folder + "/", StringComparison.Ordinal);

    public static FaultRunFile Parse(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        // Runs of another volume measure other streams: summing them would blur what a row's figures mean.
        if (fields.OptionalString(json, "volume_name") is { } volume && volume != "bench")
        {
            throw fields.Bad("volume_name", $"is '{volume}': only the bench volume's runs add up in {Folder}/ "
                + "(keep other volumes outside it)");
        }

        var rows = new List<FaultRowRuns>();
        foreach (var node in fields.Array(json, "rows"))
        {
            var row = node as JsonObject ?? throw fields.Bad("rows", "holds something that is not a JSON object");
            if (JsonFields.Has(row, "skipped"))
            {
                continue;
            }

            var repetitions = fields.Array(row, "repetitions").Select(r => Repetition(r, fields)).ToList();
            var failed = JsonFields.Find(row, "failed_runs") is JsonArray failures ? failures.Count : 0;
            rows.Add(new FaultRowRuns(fields.String(row, "row"), fields.String(row, "fault"), repetitions, failed));
        }

        return new FaultRunFile(file, fields.OptionalString(json, "commit"), rows, run);
    }

    /// <summary>Sums <paramref name="files"/> row by row, rows in order of first appearance.</summary>
    public static IReadOnlyList<FaultRowTally> Sum(IReadOnlyList<FaultRunFile> files)
    {
        var order = files.SelectMany(f => f.Rows.Select(r => (r.Row, r.Fault))).DistinctBy(r => r.Row).ToList();
        return [.. order.Select(row =>
        {
            var parts = files.SelectMany(f => f.Rows.Where(r => r.Row == row.Row)
                .Select(r => (Commit: f.Commit ?? "commit not recorded", Runs: r))).ToList();
            var commits = parts.GroupBy(p => p.Commit).Select(g => (g.Key, g.Sum(p => p.Runs.Repetitions.Count)))
                .ToList();
            return new FaultRowTally(row.Row, row.Fault, [.. parts.SelectMany(p => p.Runs.Repetitions)],
                parts.Sum(p => p.Runs.FailedRuns), commits);
        })];
    }

    public static void Append(StringBuilder text, ReportContext context)
    {
        var files = context.Data.FaultRuns;
        if (files.Count == 0)
        {
            return;
        }

        var rows = Sum(files);
        text.AppendLine("## Fault bench: every run so far").AppendLine();
        text.AppendLine($"The runs of `tests/Edge.Benchmarks -- faults` (its bench volume) in `{context.DataFolder}/"
            + $"{Folder}/`, one file per invocation, added up row by row: {ReportFormat.Count(rows.Sum(r => r.Runs))} "
            + $"runs, {ReportFormat.Count(rows.Sum(r => r.Answered))} answered drives, "
            + $"{ReportFormat.Count(rows.Sum(r => r.Lost))} lost. What each column means is in "
            + "docs/reliability.md (the fault bench).").AppendLine();
        foreach (var file in files)
        {
            var runs = file.Rows.Sum(r => r.Repetitions.Count);
            text.AppendLine($"- `{file.File}`: {runs} runs, {Commit(file.Commit)}; {context.Measured(file.Run)}"
                + (file.Run?.Command is { } command ? $"; `{command}`" : string.Empty));
        }

        text.AppendLine();
        text.AppendLine("| fault | runs | answered | stored | lost | of which still in the outbox | duplicated "
            + "| recovery s (median, max) | drain s (max) | agent restarts | failed runs | s per run (median) "
            + "| runs per commit |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine($"| {row.Fault} | {row.Runs} | {ReportFormat.Count(row.Answered)} "
                + $"| {ReportFormat.Count(row.Stored)} | {ReportFormat.Count(row.Lost)} "
                + $"| {ReportFormat.Count(row.Pending)} | {ReportFormat.Count(row.Duplicated)} | {Recovery(row)} "
                + $"| {Drain(row)} | {ReportFormat.Count(row.AgentRestarts)} | {row.FailedRuns} "
                + $"| {ReportFormat.Fixed(ReportFormat.Median(row.Repetitions.Select(r => r.Seconds)), 1)} "
                + $"| {string.Join(", ", row.Commits.Select(c => $"{Commit(c.Commit)} ({c.Runs})"))} |");
        }

        text.AppendLine();
        context.AppendNote(text, "fault-runs");
    }

    private static FaultRepetition Repetition(JsonNode? node, JsonFields fields)
    {
        var run = node as JsonObject ?? throw fields.Bad("repetitions", "holds something that is not a JSON object");
        var phases = JsonFields.Find(run, "Phases") as JsonObject;
        return new FaultRepetition(
            fields.Integer(run, "Answered"),
            fields.Integer(run, "Stored"),
            fields.Integer(run, "Pending"),
            fields.Integer(run, "Duplicated"),
            fields.NullableNumber(run, "RecoverySeconds"),
            fields.NullableNumber(run, "DrainSeconds"),
            fields.Integer(run, "AgentRestarts"),
            phases is null ? null : phases.Sum(p => fields.NumberOf(p.Value, "Phases." + p.Key)));
    }

    private static string Recovery(FaultRowTally row)
    {
        var recoveries = row.Repetitions.Select(r => r.Recovery).OfType<double>().ToList();
        var never = row.Runs - recoveries.Count;
        var text = recoveries.Count == 0 ? ReportFormat.None
            : $"{ReportFormat.Fixed(ReportFormat.Median(recoveries.Select(r => (double?)r)), 1)}, "
                + ReportFormat.Fixed(recoveries.Max(), 1);
        return never > 0 ? $"{text} ({never} never)" : text;
    }

    private static string Drain(FaultRowTally row)
    {
        var drains = row.Repetitions.Select(r => r.Drain).OfType<double>().ToList();
        var never = row.Runs - drains.Count;
        var text = drains.Count == 0 ? ReportFormat.None : ReportFormat.Fixed(drains.Max(), 1);
        return never > 0 ? $"{text} ({never} never)" : text;
    }

    private static string Commit(string? commit) => commit is null || commit.StartsWith("commit not", StringComparison
        .Ordinal) ? "commit not recorded" : $"commit {commit}";
}
