using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Tests.Shared.Faults;

namespace Edge.Benchmarks;

/// <summary>
/// <c>faults [--repeat N] [--rows a,b] [--volume bench|short] [--out file.json]</c>: the fault bench of
/// docs/reliability.md. Each row runs N times, each time in a fresh field of real processes — mosquitto with the
/// shipped configuration, <c>edge-agent run</c> (simulated electronic device), <c>edge-trainer serve --store</c> and a
/// stock MQTT client sending tagged PAT drives — and counts the drives the agents answered against the distinct
/// ones the trainer stored.
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
        var rows = names.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(FaultRows.Named).ToList();
        var work = Directory.CreateTempSubdirectory("edge-faults-").FullName;
        var results = new JsonArray();
        Console.WriteLine($"fault bench: {rows.Count} rows × {repeat}, volume {volume}");
        Console.WriteLine("| fault | runs | answered | stored | lost | of which still in the outbox | duplicated "
            + "| recovery s (median, max) | drain s (max) | agent restarts | notes |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var document = new JsonObject
        {
            ["bench"] = "faults",
            ["repeat"] = repeat,
            ["volume"] = JsonSerializer.SerializeToNode(volume),
            ["rows"] = results,
            ["machine"] = $"{Environment.ProcessorCount} cores, "
                + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        try
        {
            foreach (var row in rows)
            {
                results.Add(await RunRowAsync(row, volume, repeat, executables, work));
                // Written after every row, so a long run stopped early keeps what it measured.
                await File.WriteAllTextAsync(
                    output, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine($"JSON: {output}");
        return 0;
    }

    private static async Task<JsonObject> RunRowAsync(
        FaultRow row, FaultVolume volume, int repeat, FaultExecutables executables, string work)
    {
        if (row.SkipReason() is { } reason)
        {
            Console.WriteLine($"| {row.Fault} | skipped: {reason} | | | | | | | | | |");
            return new JsonObject { ["row"] = row.Name, ["fault"] = row.Fault, ["skipped"] = reason };
        }

        var outcomes = new List<FaultOutcome>();
        var failures = new List<string>();
        for (var repetition = 1; repetition <= repeat; repetition++)
        {
            try
            {
                outcomes.Add(await FaultRunner.RunAsync(row, volume, repetition, executables, work));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                failures.Add($"run {repetition}: {e.Message.Split('\n')[0]}");
            }
        }

        var recoveries = outcomes.Where(o => o.RecoverySeconds is not null)
            .Select(o => o.RecoverySeconds!.Value).Order().ToList();
        var drains = outcomes.Where(o => o.DrainSeconds is not null).Select(o => o.DrainSeconds!.Value).ToList();
        var notes = outcomes.Select(o => o.Note).Where(n => n.Length > 0).Distinct().Take(3).Concat(failures);
        var (answered, stored, lost) = (outcomes.Sum(o => o.Answered), outcomes.Sum(o => o.Stored),
            outcomes.Sum(o => o.Lost));
        var recovery = recoveries.Count == 0
            ? "–"
            : $"{FaultRunner.Seconds(recoveries[recoveries.Count / 2])}, {FaultRunner.Seconds(recoveries[^1])}";
        var unrecovered = outcomes.Count - recoveries.Count;
        var undrained = outcomes.Count - drains.Count;
        Console.WriteLine($"| {row.Fault} | {outcomes.Count} | {answered:N0} | {stored:N0} | {lost:N0} "
            + $"| {outcomes.Sum(o => o.Pending):N0} "
            + $"| {outcomes.Sum(o => o.Duplicated):N0} "
            + $"| {recovery}{(unrecovered > 0 ? $" ({unrecovered} never)" : "")} "
            + $"| {(drains.Count > 0 ? FaultRunner.Seconds(drains.Max()) : "–")}"
            + $"{(undrained > 0 ? $" ({undrained} never)" : "")} | {outcomes.Sum(o => o.AgentRestarts)} "
            + $"| {string.Join("; ", notes)} |");
        return new JsonObject
        {
            ["row"] = row.Name,
            ["fault"] = row.Fault,
            ["runs"] = outcomes.Count,
            ["failed_runs"] = new JsonArray([.. failures.Select(f => JsonValue.Create(f))]),
            ["answered"] = answered,
            ["stored"] = stored,
            ["lost"] = lost,
            ["pending_in_outbox"] = outcomes.Sum(o => o.Pending),
            ["duplicated"] = outcomes.Sum(o => o.Duplicated),
            ["agent_restarts"] = outcomes.Sum(o => o.AgentRestarts),
            ["repetitions"] = JsonSerializer.SerializeToNode(outcomes),
        };
    }
}
