using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Tests.Shared.Faults;

namespace Edge.Benchmarks;

/// <summary>
/// <c>faults [--repeat N] [--rows a,b] [--volume bench|short] [--out file.json]</c>: the fault bench of
/// docs/reliability.md. Each row runs N times, in rounds of one run per row, each time in a fresh field of real
/// processes — mosquitto with the shipped configuration, <c>edge-agent run</c> (simulated electronic device),
/// <c>edge-trainer serve --store</c> and a stock MQTT client sending tagged PAT drives — and counts the drives the
/// agents answered against the distinct ones the trainer stored.
/// </summary>
internal static class FaultBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var repeat = int.Parse(AgentRssBench.Option(args, "--repeat", "1"), CultureInfo.InvariantCulture);
        var names = AgentRssBench.Option(args, "--rows", string.Join(',', FaultRows.All.Select(r => r.Name)));
        var volume = AgentRssBench.Option(args, "--volume", "bench") switch
        {
            "bench" => FaultVolume.Bench,
            "short" => FaultVolume.Short,
            var other => throw new ArgumentException($"--volume {other}: expected bench or short."),
        };
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/faults.json");
        var executables = FaultExecutables.BesideThisAssembly();
        var rows = names.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(FaultRows.Named)
            .Select(r => new RowRuns(r)).ToList();
        var work = Directory.CreateTempSubdirectory("edge-faults-").FullName;
        Console.WriteLine($"fault bench: {rows.Count} rows × {repeat}, volume {volume}");
        var document = new JsonObject
        {
            ["bench"] = "faults",
            ["repeat"] = repeat,
            ["volume"] = JsonSerializer.SerializeToNode(volume),
            ["rows"] = new JsonArray(),
            ["machine"] = $"{Environment.ProcessorCount} cores, "
                + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        try
        {
            // Round by round rather than row by row, and written after every run: a long run (×100 takes about a
            // day) stopped early keeps every row measured the same number of times, less one at most.
            for (var repetition = 1; repetition <= repeat; repetition++)
            {
                foreach (var row in rows.Where(r => r.Row.SkipReason() is null))
                {
                    await row.RunAsync(volume, repetition, executables, work);
                    document["rounds_started"] = repetition;
                    document["rows"] = new JsonArray([.. rows.Select(r => r.ToJson())]);
                    await File.WriteAllTextAsync(
                        output, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                }

                Console.WriteLine($"fault bench: round {repetition} of {repeat} done");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine("| fault | runs | answered | stored | lost | of which still in the outbox | duplicated "
            + "| recovery s (median, max) | drain s (max) | agent restarts | notes |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine(row.TableLine());
        }

        document["rows"] = new JsonArray([.. rows.Select(r => r.ToJson())]);
        BenchJson.Write(document, output);
        return 0;
    }

    /// <summary>The runs of one row so far.</summary>
    private sealed class RowRuns(FaultRow row)
    {
        private readonly List<FaultOutcome> _outcomes = [];
        private readonly List<string> _failures = [];

        public FaultRow Row { get; } = row;

        public async Task RunAsync(FaultVolume volume, int repetition, FaultExecutables executables, string work)
        {
            try
            {
                _outcomes.Add(await FaultRunner.RunAsync(Row, volume, repetition, executables, work));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                _failures.Add($"run {repetition}: {e.Message.Split('\n')[0]}");
            }

            var last = _outcomes.Count > 0 ? _outcomes[^1] : null;
            Console.WriteLine($"{Row.Name} run {repetition}: "
                + (last is null ? _failures[^1] : $"answered {last.Answered:N0}, lost {last.Lost:N0}"));
        }

        public string TableLine()
        {
            if (Row.SkipReason() is { } reason)
            {
                return $"| {Row.Fault} | skipped: {reason} | | | | | | | | | |";
            }

            var recoveries = _outcomes.Where(o => o.RecoverySeconds is not null)
                .Select(o => o.RecoverySeconds!.Value).Order().ToList();
            var drains = _outcomes.Where(o => o.DrainSeconds is not null).Select(o => o.DrainSeconds!.Value).ToList();
            var notes = _outcomes.Select(o => o.Note).Where(n => n.Length > 0).Distinct().Take(3).Concat(_failures);
            var recovery = recoveries.Count == 0
                ? "–"
                : $"{FaultRunner.Seconds(recoveries[recoveries.Count / 2])}, {FaultRunner.Seconds(recoveries[^1])}";
            var unrecovered = _outcomes.Count - recoveries.Count;
            var undrained = _outcomes.Count - drains.Count;
            return $"| {Row.Fault} | {_outcomes.Count} | {_outcomes.Sum(o => o.Answered):N0} "
                + $"| {_outcomes.Sum(o => o.Stored):N0} | {_outcomes.Sum(o => o.Lost):N0} "
                + $"| {_outcomes.Sum(o => o.Pending):N0} "
                + $"| {_outcomes.Sum(o => o.Duplicated):N0} "
                + $"| {recovery}{(unrecovered > 0 ? $" ({unrecovered} never)" : "")} "
                + $"| {(drains.Count > 0 ? FaultRunner.Seconds(drains.Max()) : "–")}"
                + $"{(undrained > 0 ? $" ({undrained} never)" : "")} | {_outcomes.Sum(o => o.AgentRestarts)} "
                + $"| {string.Join("; ", notes)} |";
        }

        public JsonObject ToJson() => Row.SkipReason() is { } reason
            ? new JsonObject { ["row"] = Row.Name, ["fault"] = Row.Fault, ["skipped"] = reason }
            : new JsonObject
            {
                ["row"] = Row.Name,
                ["fault"] = Row.Fault,
                ["runs"] = _outcomes.Count,
                ["failed_runs"] = new JsonArray([.. _failures.Select(f => JsonValue.Create(f))]),
                ["answered"] = _outcomes.Sum(o => o.Answered),
                ["stored"] = _outcomes.Sum(o => o.Stored),
                ["lost"] = _outcomes.Sum(o => o.Lost),
                ["pending_in_outbox"] = _outcomes.Sum(o => o.Pending),
                ["duplicated"] = _outcomes.Sum(o => o.Duplicated),
                ["agent_restarts"] = _outcomes.Sum(o => o.AgentRestarts),
                ["repetitions"] = JsonSerializer.SerializeToNode(_outcomes),
            };
    }
}
