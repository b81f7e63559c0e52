using System.Text.Json.Nodes;
using Edge.Trainer.Recipes;
using Edge.Trainer.Reporting;

namespace Edge.Trainer.Tests.Reporting;

public sealed class BenchMergeTests
{
    private static readonly TrainingRecipe Recipe = new() { Task = "vowels", Epochs = 10 };

    [Fact]
    public void Seeds_run_side_by_side_merge_into_what_one_run_of_them_all_writes()
    {
        var merged = BenchMerge.Merge(
        [
            ("s0.json", Result(0, 0.9, "2026-12-07T18:00:00Z")),
            ("s1.json", Result(1, 0.8, "2026-12-07T22:30:00Z")),
            ("s2.json", Result(2, 0.7, "2026-12-07T22:20:00Z")),
        ]);

        var pat = merged["modes"]!["pat"]!;
        Assert.Equal([0.9, 0.8, 0.7], pat["per_seed"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal(0.8, pat["mean"]!.GetValue<double>(), 1e-12);
        Assert.Equal((3, 30.0, 300L), (merged["seeds"]!.GetValue<int>(), merged["wall_seconds"]!.GetValue<double>(),
            merged["device_passes"]!.GetValue<long>()));
        Assert.Equal("2026-12-07T22:30:00Z", merged["run"]!["timestamp_utc"]!.GetValue<string>());
        Assert.Equal(["s0.json", "s1.json", "s2.json"],
            merged["run"]!["merged_from"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(0, TrainingRecipeJson.Parse(merged["recipe"]!.ToJsonString()).Seed);
        Assert.Null(merged["run"]!["machine"]!["load_average"]);
    }

    [Fact]
    public void Results_of_another_recipe_or_with_a_gap_in_the_seeds_are_refused_naming_the_file()
    {
        var gap = Assert.Throws<InvalidDataException>(() => BenchMerge.Merge(
            [("s0.json", Result(0, 0.9, "t")), ("s2.json", Result(2, 0.7, "t"))]));
        Assert.StartsWith("s2.json starts at seed 2", gap.Message, StringComparison.Ordinal);

        var other = Result(1, 0.8, "t");
        other["recipe"] = TrainingRecipeJson.ToNode(Recipe with { Epochs = 11, Seed = 1 });
        var recipe = Assert.Throws<InvalidDataException>(() => BenchMerge.Merge(
            [("s0.json", Result(0, 0.9, "t")), ("s1.json", other)]));
        Assert.StartsWith("s1.json has another recipe", recipe.Message, StringComparison.Ordinal);
    }

    private static JsonObject Result(int seed, double pat, string time) => new()
    {
        ["task"] = "vowels",
        ["seeds"] = 1,
        ["first_seed"] = seed > 0 ? seed : null,
        ["modes"] = new JsonObject { ["pat"] = new JsonObject { ["mean"] = pat, ["per_seed"] = new JsonArray(pat) } },
        ["wall_seconds"] = 10.0,
        ["device_passes"] = 100L,
        ["recipe"] = TrainingRecipeJson.ToNode(Recipe with { Seed = seed }),
        ["run"] = new JsonObject
        {
            ["timestamp_utc"] = time, ["machine"] = new JsonObject { ["load_average"] = new JsonArray(1.0, 2.0, 3.0) },
        },
    };
}
