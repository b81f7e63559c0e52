using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>
/// Reads every <c>*.json</c> under a bench data folder (recursively, in ordinal path order) and sorts each into its
/// kind by its keys. A <c>bench pat</c> result needs its <c>.details.json</c>; a file that is not JSON, not an object,
/// or misses a key its kind requires is an error that names the file and the key. A JSON object of unknown shape is
/// kept as <see cref="OtherResult"/> so a new bench shows up in the report instead of vanishing.
/// </summary>
public static class BenchDataReader
{
    private const string DetailsSuffix = ".details.json";

    /// <summary>Reads <paramref name="directory"/>; throws <see cref="BenchDataException"/> naming the file on any
    /// problem.</summary>
    public static BenchData Read(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new
                BenchDataException($"Bench data folder '{directory}' does not exist: run the bench commands first "
                    + "(dotnet cake --target=Bench).");
        }

        var files = Directory.GetFiles(directory, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path).Replace('\\', '/'))
            .Where(path => !path.EndsWith(DetailsSuffix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new BenchDataException($"Bench data folder '{directory}' holds no result JSON.");
        }

        var data = new BenchData();
        foreach (var file in files)
        {
            var fields = new JsonFields(Path.Combine(directory, file));
            var json = Load(Path.Combine(directory, file));
            var run = RunInfoReader.Read(json, fields);
            if (JsonFields.Has(json, "Benchmarks") && JsonFields.Has(json, "HostEnvironmentInfo"))
            {
                data.BenchmarkDotNet.Add(ResultParsers.BenchmarkDotNet(file, json, fields, run));
            }
            else if (JsonFields.Has(json, "task") && JsonFields.Has(json, "modes"))
            {
                var detailsPath = Path.Combine(directory, file[..^".json".Length] + DetailsSuffix);
                var details = File.Exists(detailsPath)
                    ? ResultParsers.Details(Load(detailsPath), new JsonFields(detailsPath))
                    : throw new
                        BenchDataException($"{fields.File}: its details file '{detailsPath}' is missing (bench pat "
                            + "writes both; copy them together).");
                data.Accuracy.Add(ResultParsers.Accuracy(file, json, fields, details, run));
            }
            else if (JsonFields.Has(json, "p50_us"))
            {
                data.Latency.Add(ResultParsers.Latency(file, json, fields, run));
            }
            else if (JsonFields.Has(json, "edge_measurements_per_s"))
            {
                data.Ingest.Add(ResultParsers.Ingest(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == "bridge-link")
            {
                data.Bridge.Add(ResultParsers.Bridge(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == DriftSection.BenchName)
            {
                data.Drift.Add(DriftSection.Parse(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == LiveDriftSection.BenchName)
            {
                data.LiveDrift.Add(LiveDriftSection.Parse(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == FieldUpdateSection.BenchName)
            {
                data.FieldUpdate.Add(FieldUpdateSection.Parse(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == AgentParitySection.BenchName)
            {
                data.AgentParity.Add(AgentParitySection.Parse(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == FaultRunsSection.BenchName && FaultRunsSection.Holds(file))
            {
                data.FaultRuns.Add(FaultRunsSection.Parse(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == "fuzz")
            {
                data.Fuzz.Add(ResultParsers.Fuzz(file, json, fields, run));
            }
            else if (fields.OptionalString(json, "bench") == "agent-rss")
            {
                data.Rss.Add(ResultParsers.Rss(file, json, fields, run));
            }
            else if (JsonFields.Has(json, "rss_peak_mb"))
            {
                data.Rss.Add(ResultParsers.AgentRssBench(file, json, fields, run));
            }
            else
            {
                data.Other.Add(ResultParsers.Other(file, json, run));
            }
        }

        return data;
    }

    private static JsonObject Load(string path)
    {
        JsonNode? node;
        try
        {
            using var stream = File.OpenRead(path);
            node = JsonNode.Parse(stream,
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new BenchDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        catch (IOException e)
        {
            throw new BenchDataException($"{path}: cannot be read ({e.Message}).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new BenchDataException($"{path}: cannot be read ({e.Message}).", e);
        }

        return node as JsonObject
            ?? throw new
                BenchDataException($"{path}: a bench result must be a JSON object, not "
                    + $"{node?.GetValueKind().ToString() ?? "null"}.");
    }
}
