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

    /// <summary>
    /// Stamps the file named by <c>--out</c> in <paramref name="arguments"/>; without one (a BenchmarkDotNet run), the
    /// full
    /// JSON exports written since <paramref name="startedUtc"/> in the <c>--artifacts</c> folder's <c>results</c>.
    /// </summary>
    public static void Stamp(string[] arguments, DateTime startedUtc, JsonObject run)
    {
        if (Value(arguments, "--out") is { } output)
        {
            if (File.Exists(output))
            {
                Stamp(output, run, indented: true);
            }

            return;
        }

        var results = Path.Combine(Value(arguments, "--artifacts") ?? "BenchmarkDotNet.Artifacts", "results");
        if (!Directory.Exists(results))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(results, "*-report-full*.json"))
        {
            if (File.GetLastWriteTimeUtc(file) >= startedUtc)
            {
                Stamp(file, run.DeepClone().AsObject(), indented: false);
            }
        }
    }

    /// <summary>Describes this process's run of <paramref name="arguments"/>.</summary>
    public static JsonObject Describe(string[] arguments) => BenchRunInfo.Describe(Project, arguments);

    private static string? Value(string[] arguments, string option)
    {
        var at = Array.IndexOf(arguments, option);
        return at >= 0 && at + 1 < arguments.Length ? arguments[at + 1] : null;
    }

    private static void Stamp(string path, JsonObject run, bool indented)
    {
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException($"{path} is not a JSON object; cannot add the run block.");
        json[BenchRunInfo.Key] = run;
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = indented }));
    }
}
