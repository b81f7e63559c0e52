using System.Text.Json.Nodes;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

public sealed class ReportInputErrorTests
{
    private static readonly Dictionary<string, double[]> PatOnly = new() { ["pat"] = [0.9] };

    [Fact]
    public void A_missing_details_file_is_named()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-duffing", "vowels", "duffing", PatOnly, details: false);

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));
        Assert.Contains("vowels-duffing.details.json' is missing", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(bench.Report), "no report is written from incomplete data");
    }

    [Theory]
    [InlineData("{\"task\": \"vowels\", \"modes\": ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object, not Array")]
    [InlineData("{\"inferences\": 10, \"p50_us\": 1.5}", "'p99_us' is missing")]
    [InlineData("{\"inferences\": 10, \"p50_us\": \"fast\"}", "'p50_us' is not a number")]
    [InlineData("{\"bench\": \"agent-rss\", \"rows\": [{\"command\": \"status\", \"peak_rss_bytes\": 1.5}]}",
        "'peak_rss_bytes' is 1.5, not a whole number")]
    public void Malformed_json_is_reported_with_the_file_and_the_problem(string text, string problem)
    {
        using var bench = new BenchFixture();
        bench.WriteText("broken.json", text);

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));
        Assert.Contains("broken.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_accuracy_outside_zero_to_one_or_a_seed_count_mismatch_is_named()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-duffing", "vowels",
            "duffing", new Dictionary<string, double[]> { ["pat"] = [95.1] });
        Assert.Contains("is 95.1, not an accuracy in [0, 1]", Assert.Throws<BenchDataException>(()
            => ReportGenerator.Run(bench.Options())).Message, StringComparison.Ordinal);

        bench.WriteAccuracy("vowels-duffing", "vowels", "duffing", PatOnly);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(bench.Data, "vowels-duffing.json")))!.AsObject();
        json["modes"] = new JsonObject { ["pat"] = new JsonObject { ["mean"] = 0.9, ["per_seed"] =
            new JsonArray(0.9, 0.8) } };
        bench.Write("vowels-duffing.json", json);
        Assert.Contains("'modes.pat.per_seed' has 2 values for 1 seed(s)", Assert.Throws<BenchDataException>(()
            => ReportGenerator.Run(bench.Options())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_empty_data_folder_and_a_missing_notes_file_or_readme_are_named()
    {
        using var bench = new BenchFixture();
        Assert.Contains("holds no result JSON", Assert.Throws<BenchDataException>(()
            => ReportGenerator.Run(bench.Options())).Message, StringComparison.Ordinal);

        var missing = bench.Options() with { DataFolder = Path.Combine(bench.Root, "nowhere") };
        Assert.Contains("nowhere' does not exist", Assert.Throws<BenchDataException>(()
            => ReportGenerator.Run(missing)).Message, StringComparison.Ordinal);

        bench.WriteAccuracy("vowels-duffing", "vowels", "duffing", PatOnly);
        var noNotes = bench.Options() with { NotesPath = Path.Combine(bench.Root, "notes.md") };
        Assert.Contains("notes file", Assert.Throws<BenchDataException>(() => ReportGenerator.Run(noNotes)).Message,
            StringComparison.Ordinal);
        var noReadme = bench.Options() with { ReadmePath = Path.Combine(bench.Root, "READ.md") };
        Assert.Contains("READ.md' does not exist", Assert.Throws<BenchDataException>(()
            => ReportGenerator.Run(noReadme)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_readme_without_markers_is_an_error_and_is_left_alone()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-duffing", "vowels", "duffing", PatOnly);
        File.WriteAllText(bench.Readme, "# Edge\n<!-- bench:begin -->\nno end\n");

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));
        Assert.Contains("README.md: the marker '<!-- bench:end -->' is missing", error.Message,
            StringComparison.Ordinal);
        Assert.Equal("# Edge\n<!-- bench:begin -->\nno end\n", File.ReadAllText(bench.Readme));
        Assert.False(File.Exists(bench.Report), "the report is not written either");
    }

    [Fact]
    public void A_note_key_given_twice_is_named_with_its_line()
    {
        var error = Assert.Throws<BenchDataException>(()
            => NotesFile.Parse("a\n<!-- section: x -->\nb\n<!-- section: x -->\nc", "notes.md"));
        Assert.Equal("notes.md: line 4 starts a second note for section 'x'; merge the two notes.", error.Message);
    }
}
