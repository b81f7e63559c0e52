using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Domain.Data;

namespace Edge.Benchmarks;

/// <summary>
/// <c>security [--out file.json] [--docs docs/security.md] [--no-tests]</c>: the attack table of docs/security.md.
/// Runs every test tagged <c>Category=Security</c> (each carries one attack out against real processes or the real
/// decoders and records what it observed, <c>tests/Shared/SecurityReport.cs</c>), adds the attacks measured here on a
/// real <c>edge-agent run</c> process (<see cref="OfferMemoryAttack"/>, <see cref="PatMemoryAttack"/>), prints the
/// table, writes JSON, and with
/// <c>--docs</c> rewrites the table between the <c>security:begin/end</c> markers of that file.
/// </summary>
internal static class SecurityBench
{
    private static readonly string[] TestProjects =
        ["tests/Edge.Domain.Tests", "tests/Edge.Agent.Tests", "tests/Edge.Integration.Tests"];

    public static async Task<int> RunAsync(string[] args)
    {
        var root = DataPaths.FindRepositoryRoot() ?? Directory.GetCurrentDirectory();
        var output = Option(args, "--out") ?? "artifacts/bench/security.json";
        var rowsFile = Path.GetTempFileName();
        try
        {
            if (!args.Contains("--no-tests"))
            {
                foreach (var project in TestProjects)
                {
                    var code = await RunTestsAsync(root, project, rowsFile);
                    if (code != 0)
                    {
                        await Console.Error.WriteLineAsync($"error: security tests in {project} failed (exit {code}).");
                        return 1;
                    }
                }
            }

            var rows = ReadRows(rowsFile);
            if (!OperatingSystem.IsLinux())
            {
                await
                    Console.Error.WriteLineAsync("error: the attacks on a real agent read its memory from /proc "
                        + "(Linux).");
                return 2;
            }

            foreach (var row in await RunLabAttacksAsync(root))
            {
                rows[row["id"]!.GetValue<string>()] = row;
            }

            var ordered = rows.Values.OrderBy(r => r["id"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
            var table = Markdown(ordered);
            Console.WriteLine(table);
            var held = ordered.Count(r => r["held"]!.GetValue<bool>());
            Console.WriteLine($"{held} of {ordered.Count} attacks refused or bounded.");
            var json = new JsonObject { ["attacks"] = new JsonArray([.. ordered.Select(r => r.DeepClone())]) };
            BenchJson.Write(json, output);
            if (Option(args, "--docs") is { } docs)
            {
                await ReplaceTableAsync(docs, table);
            }

            return held == ordered.Count ? 0 : 1;
        }
        finally
        {
            File.Delete(rowsFile);
        }
    }

    /// <summary>The attacks that need a whole agent: one lab (broker and agent process) serves them all.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static async Task<IReadOnlyList<JsonObject>> RunLabAttacksAsync(string root)
    {
        var agent = Path.Combine(root, "agent", "Edge.Agent", "bin", "Release", "net10.0", "edge-agent");
        if (!File.Exists(agent))
        {
            throw new
                FileNotFoundException($"edge-agent not built at {agent}: dotnet build agent/Edge.Agent -c Release");
        }

        using var lab = await SecurityLab.StartAsync(agent, root);
        return [.. await OfferMemoryAttack.RunAsync(lab), await PatMemoryAttack.RunAsync(lab)];
    }

    private static async Task<int> RunTestsAsync(string root, string project, string rowsFile)
    {
        var start = new ProcessStartInfo("dotnet", ["test", "--project", project, "-c", "Release", "--",
            "--filter-trait", "Category=Security"])
        {
            WorkingDirectory = root,
        };
        start.Environment["EDGE_SECURITY_REPORT"] = rowsFile;
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static Dictionary<string, JsonObject> ReadRows(string file)
    {
        var rows = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length > 0 && JsonNode.Parse(line) is JsonObject row)
            {
                // A test that records the same attack twice (e.g. a theory) keeps its last observation.
                rows[row["id"]!.GetValue<string>()] = row;
            }
        }

        return rows;
    }

    private static string Markdown(IEnumerable<JsonObject> rows)
    {
        var table = new StringBuilder();
        table.AppendLine("| # | attack | command | expected | observed | held |");
        table.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {Cell(row, "id")} | {Cell(row, "attack")} | ")
                .Append(CultureInfo.InvariantCulture, $"`{Cell(row, "command")}` | {Cell(row, "expected")} | ")
                .Append(CultureInfo.InvariantCulture, $"{Cell(row, "observed")} | ")
                .AppendLine(row["held"]!.GetValue<bool>() ? "yes |" : "**NO** |");
        }

        return table.ToString();
    }

    private static string Cell(JsonObject row, string key)
        => (row[key]?.GetValue<string>() ?? "").Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static async Task ReplaceTableAsync(string docs, string table)
    {
        const string Begin = "<!-- security:begin -->";
        const string End = "<!-- security:end -->";
        var text = await File.ReadAllTextAsync(docs);
        var from = text.IndexOf(Begin, StringComparison.Ordinal);
        var to = text.IndexOf(End, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            throw new InvalidDataException($"{docs} has no '{Begin}' … '{End}' markers.");
        }

        var stamp =
            $"Generated by `dotnet run -c Release --project tests/Edge.Benchmarks -- security --docs {docs}` on "
            + $"{DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores, "
            + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}).";
        await File.WriteAllTextAsync(docs,
            text[..(from + Begin.Length)] + "\n" + table + "\n" + stamp + "\n" + text[to..]);
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
