using System.Globalization;
using System.Text.Json;
using Edge.Domain.IO;
using Edge.Tests.Fuzzing;

namespace Edge.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Edge.Benchmarks -- fuzz [--inputs N] [--seed S] [--decoder NAME]
/// [--out file.json]</c>: structure-aware mutation fuzzing of every decoder an outsider reaches (managed generator,
/// no SharpFuzz instrumentation), N inputs per decoder (default 1 000 000), each under a 1 s watchdog. Counts accepted,
/// refused (by exception type and message class), crashes (any other exception), hangs (slow every time it is run)
/// and stalls (slow once, fast when run again: the machine was busy); prints a markdown table,
/// writes JSON with the crashing inputs, and exits 1 on any crash or hang.
/// </summary>
public static class FuzzBench
{
    /// <summary>Runs the bench.</summary>
    public static int Run(string[] args)
    {
        var inputs = int.Parse(Option(args, "--inputs") ?? "1000000", CultureInfo.InvariantCulture);
        var seed = int.Parse(Option(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        var only = Option(args, "--decoder");
        var outPath = Option(args, "--out") ?? "artifacts/bench/fuzz.json";
        using var packages = new PackageFuzzAdapter();
        var targets = FuzzTargets.All(packages).Where(t => only is null || t.Name == only).ToList();
        if (targets.Count == 0)
        {
            var known = string.Join(", ", FuzzTargets.All(packages).Select(t => t.Name));
            Console.Error.WriteLine($"fuzz: no decoder named '{only}'; known: {known}.");
            return 2;
        }

        var results = new List<FuzzResult>();
        foreach (var target in targets)
        {
            Console.Error.WriteLine($"fuzz: {target.Name}, {inputs} inputs ...");
            var result = FuzzRunner.Run(
                target, inputs, seed, r => Console.Error.WriteLine($"fuzz: {r.Decoder}: {r.Inputs} inputs so far"));
            results.Add(result);
            Console.Error.WriteLine(
                $"fuzz: {target.Name}: {result.Crashes} crashes, {result.Hangs} hangs in {result.Seconds:F0} s");
        }

        PrintTable(results);
        Write(outPath, inputs, seed, results);
        return results.Any(r => r.Crashes > 0 || r.Hangs > 0 || r.Abandoned) ? 1 : 0;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static void PrintTable(List<FuzzResult> results)
    {
        Console.WriteLine(
            "| decoder | inputs | accepted | refused | refusal classes | crashes | hangs | stalls | slowest input (ms) "
                + "| inputs/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var hangs = r.Abandoned ? $"{r.Hangs} (abandoned)" : $"{r.Hangs}";
            var rate = r.Inputs / Math.Max(r.Seconds, 1e-9);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Decoder} | {r.Inputs:N0} | {r.Accepted:N0} | {r.Refused:N0} | {r.RefusalClasses.Count} | "
                    + $"{r.Crashes} "
                + $"| {hangs} | {r.Stalls} | {r.SlowestMs:F1} | {rate:N0} |"));
        }

        foreach (var r in results.Where(r => r.Findings.Count > 0))
        {
            Console.WriteLine($"{r.Decoder}: {string.Join("; ", r.CrashClasses.Select(c => $"{c.Key} ×{c.Value}"))}");
        }
    }

    private static void Write(string path, int inputs, int seed, List<FuzzResult> results)
    {
        var json = JsonSerializer.Serialize(
            new
            {
                bench = "fuzz",
                generator = "managed structure-aware mutation of valid seeds (tests/Shared/Fuzzing), "
                    + "no SharpFuzz instrumentation",
                inputsPerDecoder = inputs,
                seed,
                hangLimitMs = FuzzRunner.HangLimit.TotalMilliseconds,
                machine = Environment.MachineName,
                cores = Environment.ProcessorCount,
                decoders = results.Select(r => new
                {
                    decoder = r.Decoder,
                    inputs = r.Inputs,
                    accepted = r.Accepted,
                    refused = r.Refused,
                    crashes = r.Crashes,
                    hangs = r.Hangs,
                    stalls = r.Stalls,
                    abandoned = r.Abandoned,
                    slowestMs = Math.Round(r.SlowestMs, 3),
                    seconds = Math.Round(r.Seconds, 1),
                    refusalsByType = r.RefusalsByType,
                    refusalClasses = r.RefusalClasses.OrderByDescending(c => c.Value).Take(25)
                        .ToDictionary(c => c.Key, c => c.Value),
                    distinctRefusalClasses = r.RefusalClasses.Count,
                    crashClasses = r.CrashClasses,
                    findings = r.Findings.Select(f => new
                    {
                        index = f.Index,
                        problem = f.Problem,
                        inputBase64 = Convert.ToBase64String(f.Input),
                    }),
                }),
            },
            new JsonSerializerOptions { WriteIndented = true });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, json);
        Console.WriteLine($"wrote {path}");
    }
}
