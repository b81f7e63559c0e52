using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

/// <summary>The generated "Field updates end to end" section from <c>field-update</c> bench JSON.</summary>
public sealed class FieldUpdateReportTests
{
    private static readonly string[] Phases =
    [
        "status_shows_loss", "detected", "session_start", "pat_done", "signed", "offered", "validated", "activated",
        "recovered",
    ];

    [Fact]
    public void Each_run_gets_its_phase_times_with_medians_and_its_accuracies_with_cost_and_regained_points()
    {
        using var bench = new BenchFixture();
        bench.Write("field-update.json", Result(null, Run(1, 1, 0.50, 0.93, true), Run(2, 3, 0.40, 0.95, true),
            Run(3, 2, 0.45, null, false)));
        bench.Write("field-update-long.json", Result(60, Run(1, 1, 0.25, 0.80, true)));

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("## Field updates end to end", report, StringComparison.Ordinal);
        Assert.Contains("`edge-trainer serve --watch` (checks every 2 s, drop threshold 3 points, no cooldown, "
            + "serve's default session)", report, StringComparison.Ordinal);
        Assert.Contains("serve's default session except 60 PAT epochs (`--update-epochs`)", report,
            StringComparison.Ordinal);
        Assert.Contains("| +300 K | 1 | 1.0 | 2.0 | 3.0 | 4.0 | 5.0 | 6.0 | 7.0 | 8.0 | 9.0 |", report,
            StringComparison.Ordinal);
        // Run 3 was refused: nothing after the verdict; the medians take what each phase has.
        Assert.Contains("| +300 K | 3 | 2.0 | 4.0 | 6.0 | 8.0 | 10.0 | 12.0 | 14.0 | – | – |", report,
            StringComparison.Ordinal);
        Assert.Contains("| **median** | 3 runs | 2.0 | 4.0 | 6.0 | 8.0 | 10.0 | 12.0 | 14.0 | 16.0 | 18.0 |", report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| +300 K | 1 | 91.0 % | 82.0 % | 50.0 % | 93.0 % | 41.0 pts | 43.0 pts | 2.0 pts | 55.0 % → 94.0 % "
            + "| accepted |",
            report,
            StringComparison.Ordinal);
        Assert.Contains("| +300 K | 3 | 91.0 % | 82.0 % | 45.0 % | – | 46.0 pts | – | – | 55.0 % → 94.0 % | refused |",
            report, StringComparison.Ordinal);
    }

    [Fact]
    public void The_versions_after_v2_and_how_the_sessions_ended_are_listed_and_older_runs_show_none()
    {
        using var bench = new BenchFixture();
        var back = Run(1, 1, 0.25, 0.755, true);
        back["outcome"] = "recovered";
        back["versions"] = Versions((2, 0.755), (3, 0.84), (4, 0.893));
        var stalled = Run(2, 1, 0.25, 0.70, true);
        stalled["outcome"] = "stalled";
        stalled["versions"] = Versions((2, 0.70));
        bench.Write("field-update-recovery.json", Result(null, back, stalled, Run(3, 1, 0.25, 0.75, true)));

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("| verdict | later versions |", report, StringComparison.Ordinal);
        Assert.Contains("| accepted | v3 84.0 % → v4 89.3 % (recovered) |", report, StringComparison.Ordinal);
        Assert.Contains("| 2 | 91.0 % |", report, StringComparison.Ordinal);
        Assert.Contains("| accepted | (stalled) |", report, StringComparison.Ordinal);
        Assert.Contains("| 55.0 % → 94.0 % | accepted | – |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_its_phase_times_is_an_error_naming_the_file_and_the_key()
    {
        using var bench = new BenchFixture();
        var result = Result(null, Run(1, 1, 0.5, 0.9, true));
        ((JsonObject)result["rows"]![0]!).Remove("seconds");
        bench.Write("field-update.json", result);

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));

        Assert.Contains("field-update.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("'seconds'", error.Message, StringComparison.Ordinal);
    }

    private static JsonArray Versions(params (int Version, double Accuracy)[] versions) =>
        new([.. versions.Select(v => (JsonNode)new JsonObject { ["version"] = v.Version, ["accuracy"] = v.Accuracy })]);

    private static JsonObject Result(int? updateEpochs, params JsonObject[] rows) => new()
    {
        ["bench"] = "field-update",
        ["system"] = "electronic",
        ["task"] = "vowels",
        ["product_line_epochs"] = 100,
        ["probe_seconds"] = 2,
        ["probe_window"] = 4,
        ["check_every_s"] = 2,
        ["drop_threshold"] = 0.03,
        ["update_epochs"] = updateEpochs,
        ["update_twin_samples"] = null,
        ["rows"] = new JsonArray([.. rows]),
    };

    // Phase i at i × scale seconds; a refused run (not accepted) stops at the verdict.
    private static JsonObject Run(int run, int scale, double lowest, double? after, bool accepted)
    {
        var seconds = new JsonObject();
        for (var i = 0; i < Phases.Length; i++)
        {
            seconds[Phases[i]] = accepted || i < 7 ? (i + 1.0) * scale : null;
        }

        return new JsonObject
        {
            ["warmup_kelvin"] = 300,
            ["run"] = run,
            ["accuracy_before"] = 0.91,
            ["accuracy_drifted"] = 0.82,
            ["accuracy_drifted_floor"] = lowest,
            ["accuracy_after"] = after,
            ["session_accuracy_before"] = 0.55,
            ["session_accuracy_after"] = 0.94,
            ["accepted"] = accepted,
            ["verdict"] = string.Create(CultureInfo.InvariantCulture, $"run {run}"),
            ["seconds"] = seconds,
        };
    }
}
