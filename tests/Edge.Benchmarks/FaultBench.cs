using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Hosting.Observability;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Reporting;

namespace Edge.Benchmarks;

/// <summary>
/// <c>faults [--repeat N] [--parallel N] [--minutes M] [--rows a,b] [--volume bench|short|long] [--out file.json]</c>:
/// the fault bench of docs/reliability.md. Each row runs N times, in rounds of one run per row (up to
/// <c>--parallel</c> runs side by side; none started after <c>--minutes</c>), each time in a fresh field of real
/// processes — mosquitto with the shipped configuration, <c>edge-agent run</c> (simulated electronic device),
/// <c>edge-trainer serve --store</c> and a stock MQTT client sending tagged PAT drives — and counts the drives the
/// agents answered against the distinct ones the trainer stored.
/// </summary>
internal static class FaultBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var repeat = int.Parse(AgentRssBench.Option(args, "--repeat", "1"), CultureInfo.InvariantCulture);
        var parallel = int.Parse(AgentRssBench.Option(args, "--parallel", "1"), CultureInfo.InvariantCulture);
        // A time budget: no run starts after it, the runs under way finish, and the table is printed as usual.
        var minutes = double.Parse(AgentRssBench.Option(args, "--minutes", "0"), CultureInfo.InvariantCulture);
        var names = AgentRssBench.Option(args, "--rows", string.Join(',', FaultRows.All.Select(r => r.Name)));
        var volumeName = AgentRssBench.Option(args, "--volume", "bench");
        var volume = volumeName switch
        {
            "bench" => FaultVolume.Bench,
            "short" => FaultVolume.Short,
            "long" => FaultVolume.Long,
            var other => throw new ArgumentException($"--volume {other}: expected bench, short or long."),
        };
        if (parallel < 1)
        {
            throw new ArgumentException($"--parallel {parallel}: expected 1 or more.");
        }

        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/faults.json");
        var executables = FaultExecutables.BesideThisAssembly();
        var rows = names.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(FaultRows.Named)
            .Select(r => new RowRuns(r)).ToList();
        var work = Directory.CreateTempSubdirectory("edge-faults-").FullName;
        Console.WriteLine($"fault bench: {rows.Count} rows × {repeat}, volume {volumeName}, {parallel} at a time"
            + (minutes > 0 ? $", no run started after {minutes} min" : ""));
        var document = new JsonObject
        {
            ["bench"] = "faults",
            ["repeat"] = repeat,
            ["parallel"] = parallel,
            ["minutes"] = minutes,
            ["volume_name"] = volumeName,
            // Runs of separate invocations add up in the report (faults-runs/), each file under its commit.
            ["commit"] = BuildVersion.SourceRevision,
            ["volume"] = JsonSerializer.SerializeToNode(volume),
            ["rows"] = new JsonArray(),
            ["machine"] = $"{Environment.ProcessorCount} cores, "
                + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            // Written with every run (and again at the end): a bench stopped early keeps its command, machine and
            // load average, so its runs still add up in the report.
            [BenchRunInfo.Key] = BenchRunStamp.Describe(["faults", .. args]),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        // Round by round rather than row by row, and written after every run: a long run stopped early keeps every
        // row measured the same number of times, less one (or --parallel) at most. Each run has its own folder,
        // broker, ports and processes, so runs side by side share nothing but the machine.
        var queue = new Queue<(RowRuns Row, int Repetition)>(Enumerable.Range(1, repeat)
            .SelectMany(r => rows.Where(row => row.Row.SkipReason() is null).Select(row => (row, r))));
        using var gate = new SemaphoreSlim(1, 1);
        var wall = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                while (true)
                {
                    (RowRuns Row, int Repetition) next;
                    lock (queue)
                    {
                        if ((minutes > 0 && wall.Elapsed.TotalMinutes > minutes) || !queue.TryDequeue(out next))
                        {
                            return;
                        }
                    }

                    await next.Row.RunAsync(volume, next.Repetition, executables, work);
                    await gate.WaitAsync();
                    try
                    {
                        document["rounds_started"] = next.Repetition;
                        document["wall_seconds"] = Math.Round(wall.Elapsed.TotalSeconds);
                        document["rows"] = new JsonArray([.. rows.Select(r => r.ToJson())]);
                        await File.WriteAllTextAsync(
                            output, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine("| fault | runs | answered | stored | lost | of which still in the outbox | duplicated "
            + "| recovery s (median, max) | drain s (max) | agent restarts | s per run (median) | notes |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine(row.TableLine());
        }

        document["wall_seconds"] = Math.Round(wall.Elapsed.TotalSeconds);
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
            string said;
            try
            {
                var outcome = await FaultRunner.RunAsync(Row, volume, repetition, executables, work);
                said = $"answered {outcome.Answered:N0}, lost {outcome.Lost:N0}, {outcome.Seconds:0.0} s ("
                    + string.Join(", ", outcome.Phases.Select(p => $"{p.Key} {p.Value:0.0}")) + ")";
                lock (_outcomes)
                {
                    _outcomes.Add(outcome);
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                said = $"run {repetition}: {e.Message.Split('\n')[0]}";
                lock (_outcomes)
                {
                    _failures.Add(said);
                }
            }

            Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {Row.Name} run {repetition}: {said}");
        }

        public string TableLine()
        {
            if (Row.SkipReason() is { } reason)
            {
                return $"| {Row.Fault} | skipped: {reason} | | | | | | | | | | |";
            }

            var (outcomes, failures) = Snapshot();
            var recoveries = outcomes.Where(o => o.RecoverySeconds is not null)
                .Select(o => o.RecoverySeconds!.Value).Order().ToList();
            var drains = outcomes.Where(o => o.DrainSeconds is not null).Select(o => o.DrainSeconds!.Value).ToList();
            var notes = outcomes.Select(o => o.Note).Where(n => n.Length > 0).Distinct().Take(3).Concat(failures);
            var recovery = recoveries.Count == 0
                ? "–"
                : $"{FaultRunner.Seconds(recoveries[recoveries.Count / 2])}, {FaultRunner.Seconds(recoveries[^1])}";
            var unrecovered = outcomes.Count - recoveries.Count;
            var undrained = outcomes.Count - drains.Count;
            return $"| {Row.Fault} | {outcomes.Count} | {outcomes.Sum(o => o.Answered):N0} "
                + $"| {outcomes.Sum(o => o.Stored):N0} | {outcomes.Sum(o => o.Lost):N0} "
                + $"| {outcomes.Sum(o => o.Pending):N0} "
                + $"| {outcomes.Sum(o => o.Duplicated):N0} "
                + $"| {recovery}{(unrecovered > 0 ? $" ({unrecovered} never)" : "")} "
                + $"| {(drains.Count > 0 ? FaultRunner.Seconds(drains.Max()) : "–")}"
                + $"{(undrained > 0 ? $" ({undrained} never)" : "")} | {outcomes.Sum(o => o.AgentRestarts)} "
                + $"| {FaultRunner.Seconds(MedianSeconds(outcomes))} | {string.Join("; ", notes)} |";
        }

        private static double? MedianSeconds(List<FaultOutcome> outcomes) =>
            outcomes.Count == 0 ? null : outcomes.Select(o => o.Seconds).Order().ElementAt(outcomes.Count / 2);

        private (List<FaultOutcome> Outcomes, List<string> Failures) Snapshot()
        {
            lock (_outcomes)
            {
                return ([.. _outcomes], [.. _failures]);
            }
        }

        public JsonObject ToJson()
        {
            if (Row.SkipReason() is { } reason)
            {
                return new JsonObject { ["row"] = Row.Name, ["fault"] = Row.Fault, ["skipped"] = reason };
            }

            var (outcomes, failures) = Snapshot();
            return new JsonObject
            {
                ["row"] = Row.Name,
                ["fault"] = Row.Fault,
                ["runs"] = outcomes.Count,
                ["failed_runs"] = new JsonArray([.. failures.Select(f => JsonValue.Create(f))]),
                ["answered"] = outcomes.Sum(o => o.Answered),
                ["stored"] = outcomes.Sum(o => o.Stored),
                ["lost"] = outcomes.Sum(o => o.Lost),
                ["pending_in_outbox"] = outcomes.Sum(o => o.Pending),
                ["duplicated"] = outcomes.Sum(o => o.Duplicated),
                ["agent_restarts"] = outcomes.Sum(o => o.AgentRestarts),
                ["seconds_per_run_median"] = MedianSeconds(outcomes),
                ["repetitions"] = JsonSerializer.SerializeToNode(outcomes),
            };
        }
    }
}
