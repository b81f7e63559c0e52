using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.IO;
using Edge.Trainer.Recipes;

namespace Edge.Trainer.Reporting;

/// <summary>
/// Joins <c>bench pat</c> results of one recipe run with different seeds (<c>--first-seed</c>, so seeds can run side by
/// side) into the result one run of all those seeds would have written: per-seed accuracies in seed order, means over
/// them, seeds, device passes and wall time summed. The twin figures and the run block are the first seed's; the run
/// block lists the files merged. Results whose recipes differ in anything but the seed, or whose seeds do not follow
/// on, are refused.
/// </summary>
public static class BenchMerge
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Merges the results in <paramref name="paths"/> into <paramref name="output"/> (details beside it).
    /// </summary>
    public static JsonObject Write(IReadOnlyList<string> paths, string output)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(output);
        var results = paths.Select(p => (Path: p, Json: Load(p))).OrderBy(r => FirstSeed(r.Json)).ToList();
        var details = results.Select(r => Load(Path.ChangeExtension(r.Path, ".details.json"))).ToList();
        var merged = Merge(results.Select(r => (Path.GetFileName(r.Path), r.Json)).ToList());
        var mergedDetails = details[0].DeepClone().AsObject();
        mergedDetails["runs"] = new JsonArray([.. details.SelectMany(d => d["runs"]!.AsArray()).Select(r =>
            r!.DeepClone())]);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        AtomicFile.WriteAllText(output, merged.ToJsonString(Indented));
        AtomicFile.WriteAllText(Path.ChangeExtension(output, ".details.json"), mergedDetails.ToJsonString(Indented));
        return merged;
    }

    /// <summary>The merged result of <paramref name="results"/> (file name, result), sorted by first seed.</summary>
    public static JsonObject Merge(IReadOnlyList<(string Name, JsonObject Json)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count < 2)
        {
            throw new ArgumentException("Merging takes two or more results.");
        }

        var first = results[0].Json;
        var nextSeed = FirstSeed(first);
        var modes = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var (name, json) in results)
        {
            Require(FirstSeed(json) == nextSeed, name,
                $"starts at seed {FirstSeed(json)}, where seed {nextSeed} was expected (seeds must follow on)");
            nextSeed += json["seeds"]!.GetValue<int>();
            // The recipe decides the network; the other keys describe it (and older results write fewer of them).
            Require(RecipeBesidesSeed(first, results[0].Name) == RecipeBesidesSeed(json, name), name,
                $"has another recipe than {results[0].Name} (seeds apart)");
            var runModes = json["modes"]!.AsObject();
            Require(runModes.Count == first["modes"]!.AsObject().Count, name, "runs other modes");
            foreach (var (mode, figures) in runModes)
            {
                Require(first["modes"]![mode] is not null, name, $"runs mode '{mode}' the first result does not");
                var list = modes.TryGetValue(mode, out var seen) ? seen : modes[mode] = [];
                list.AddRange(figures!["per_seed"]!.AsArray().Select(v => v!.GetValue<double>()));
            }
        }

        var merged = first.DeepClone().AsObject();
        var mergedModes = new JsonObject();
        foreach (var (mode, perSeed) in modes)
        {
            mergedModes[mode] = new JsonObject
            {
                ["mean"] = Math.Round(perSeed.Average(), 4),
                ["per_seed"] = new JsonArray([.. perSeed.Select(v => (JsonNode?)v)]),
            };
        }

        merged["modes"] = mergedModes;
        merged["seeds"] = nextSeed - FirstSeed(first);
        merged["wall_seconds"] = Math.Round(results.Sum(r => r.Json["wall_seconds"]!.GetValue<double>()), 2);
        merged["device_passes"] = results.Sum(r => r.Json["device_passes"]!.GetValue<long>());
        var run = merged[BenchRunInfo.Key]!.AsObject();
        run["merged_from"] = new JsonArray([.. results.Select(r => (JsonNode?)r.Name)]);
        run["timestamp_utc"] = results.Select(r => r.Json[BenchRunInfo.Key]?["timestamp_utc"]?.GetValue<string>())
            .Max(StringComparer.Ordinal);
        if (run["machine"] is JsonObject machine)
        {
            // The seeds ran at other times and loads; no one load average describes the merged result.
            machine["load_average"] = null;
        }
        return merged;
    }

    private static int FirstSeed(JsonObject json) => json["first_seed"]?.GetValue<int>() ?? 0;

    private static TrainingRecipe RecipeBesidesSeed(JsonObject json, string name)
        => json[TrainingRecipeJson.BenchKey] is JsonObject recipe
            ? TrainingRecipeJson.Parse(recipe.ToJsonString(), name) with { Seed = 0 }
            : throw new InvalidDataException($"{name} has no '{TrainingRecipeJson.BenchKey}' block to compare.");

    private static JsonObject Load(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not JSON: {e.Message}", e);
        }
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{name} {problem}; only results of one recipe with different seeds merge.");
        }
    }
}
