using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.IO;
using Edge.Trainer.Reporting;

namespace Edge.Benchmarks;

/// <summary>
/// Adds the <c>run</c> block (command, machine, timestamp, profile; <see cref="BenchRunInfo"/>) to the JSON a bench
/// command or BenchmarkDotNet wrote, so the benchmark report can say how each figure was measured. Only a key is
/// added; the bench's own keys are left as they are.
/// </summary>
internal static class BenchRunStamp
{
    private const string Project = "tests/Edge.Benchmarks";

    /// <summary>Stamps the file named by <c>--out</c> in <paramref name="arguments"/>, if any.</summary>
    public static void StampOutput(string[] arguments, JsonObject run)
    {
        var at = Array.IndexOf(arguments, "--out");
        if (at >= 0 && at + 1 < arguments.Length && File.Exists(arguments[at + 1]))
        {
            Stamp(arguments[at + 1], run, indented: true);
        }
    }

    /// <summary>Stamps the BenchmarkDotNet JSON exports written into <paramref name="resultsFolders"/> since <paramref name="startedUtc"/>.</summary>
    public static void StampBenchmarkDotNet(IEnumerable<string> resultsFolders, DateTime startedUtc, JsonObject run)
    {
        foreach (var folder in resultsFolders.Distinct(StringComparer.Ordinal).Where(Directory.Exists))
        {
            foreach (var file in Directory.GetFiles(folder, "*-report-full*.json"))
            {
                if (File.GetLastWriteTimeUtc(file) >= startedUtc)
                {
                    Stamp(file, run.DeepClone().AsObject(), indented: false);
                }
            }
        }
    }

    /// <summary>Describes this process's run of <paramref name="arguments"/>.</summary>
    public static JsonObject Describe(string[] arguments) => BenchRunInfo.Describe(Project, arguments);

    private static void Stamp(string path, JsonObject run, bool indented)
    {
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException($"{path} is not a JSON object; cannot add the run block.");
        json[BenchRunInfo.Key] = run;
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = indented }));
    }
}
