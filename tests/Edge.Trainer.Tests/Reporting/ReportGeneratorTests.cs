using System.Text.Json.Nodes;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

public sealed class ReportGeneratorTests
{
    private static readonly Dictionary<string, double[]> VowelModes = new()
    {
        ["insilico"] = [0.808, 0.694, 0.526],
        ["pat"] = [0.935, 0.959, 0.959],
        ["ideal"] = [0.935, 0.963, 0.955],
    };

    [Fact]
    public void Accuracy_rows_carry_each_mode_the_twin_prediction_passes_wall_time_command_and_machine()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-electronic", "vowels", "electronic", VowelModes);
        bench.WriteAccuracy("fsdd-mechanical", "fsdd",
            "mechanical", new Dictionary<string, double[]> { ["pat"] = [0.765] });

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        var readme = File.ReadAllText(bench.Readme);
        Assert.Contains(
            "| vowels | electronic | standard | 67.6 % | **95.1 %** | 95.1 % | 93 % (optical) | – | – | 3 × 100 | "
            + "40 s |",
            readme,
            StringComparison.Ordinal);
        Assert.Contains(
            "| fsdd | mechanical | standard | – | **76.5 %** | – | – | – | – | 1 × 100 | 40 s |",
            readme,
            StringComparison.Ordinal);
        Assert.True(
            readme.IndexOf("| vowels |", StringComparison.Ordinal)
                < readme.IndexOf("| fsdd |", StringComparison.Ordinal),
            "vowels come before spoken digits");
        Assert.Contains(
            "(benchmarks.md)",
            readme.Replace("docs/benchmarks.md", "benchmarks.md", StringComparison.Ordinal),
            StringComparison.Ordinal);
        Assert.Contains(
            "| [vowels](#vowels-on-electronic) | electronic | lab | standard | 3 × 100 | 67.6 % | 95.1 % | 95.1 % |"
            + " – | – | – | – | – | 94.6 % | 0.0430 (0.0390) | 418,816 | 40 s | 2026-11-25 06:51 UTC, M1, load 14.5 |",
            report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| pat | **95.1 %** | 93.5 % | 95.9 % | 95.9 % | 50.0 % | 3,000 | – | – | – | 2.0 |",
            report,
            StringComparison.Ordinal);
        Assert.Contains(
            "dotnet run -c Release --project host-trainer/Edge.Trainer -- bench pat --task vowels --out "
            + "'artifacts/bench/x y.json'",
            report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| M1 | AMD EPYC 7B13 | 2 | Debian GNU/Linux 12 (bookworm) (x64) | .NET 10.0.12 |",
            report,
            StringComparison.Ordinal);
        Assert.Contains("load average 14.5 / 9.7 / 7.3 when it started", report, StringComparison.Ordinal);
        Assert.Contains("Intro written by hand.", report, StringComparison.Ordinal);
        Assert.DoesNotContain("old table", readme, StringComparison.Ordinal);
        Assert.EndsWith("<!-- bench:end -->\n\n## More\n", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Audio_rows_carry_the_unseen_speaker_mean_and_that_figure_through_the_agent_and_mnist_the_paper()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy(
            "fsdd-electronic", "fsdd", "electronic", new Dictionary<string, double[]> { ["pat"] = [0.95] });
        bench.WriteAccuracy("mnist-optical", "mnist", "optical", new Dictionary<string, double[]> { ["pat"] = [0.96] });
        bench.WriteAccuracy(
            "fsdd-loso-george", "fsdd-loso-george", "electronic", new Dictionary<string, double[]> { ["pat"] = [0.5] });
        bench.WriteAccuracy(
            "fsdd-loso-jackson",
            "fsdd-loso-jackson",
            "electronic",
            new Dictionary<string, double[]> { ["pat"] = [0.7] });
        bench.Write("loso-agent.json", new JsonObject
        {
            ["bench"] = "loso-agent",
            ["system"] = "electronic",
            ["rows"] = new JsonArray(
                AgentRow("george", "sim-0001", 0.52, 0.31),
                AgentRow("george", "sim-0002", 0.40, null),
                AgentRow("jackson", "sim-0001", 0.68, 0.45),
                AgentRow("jackson", "sim-0002", 0.60, null)),
            ["run"] = BenchFixture.Run(),
        });

        ReportGenerator.Run(bench.Options());

        var readme = File.ReadAllText(bench.Readme);
        Assert.Contains(
            "| fsdd | electronic | standard | – | **95.0 %** | – | – | 60.0 % | 60.0 % (2 folds; other parts: 50.0 "
            + "%) |",
            readme,
            StringComparison.Ordinal);
        Assert.Contains(
            "| mnist | optical | standard | – | **96.0 %** | – | 97 % | – | – |",
            readme,
            StringComparison.Ordinal);
        Assert.Contains(
            "| fsdd, leave one speaker out (2 folds, mean) | electronic | standard | – | **60.0 %** | – | – | 60.0 "
            + "% | 60.0 % (2 folds; other parts: 50.0 %) |",
            readme,
            StringComparison.Ordinal);
        var report = File.ReadAllText(bench.Report);
        Assert.Contains(
            "| george | 50.0 % | – | 49.0 % | sim-0001 (trained on) | **52.0 %** | 31.0 % |",
            report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| jackson | 50.0 % | – | 49.0 % | sim-0002 | **60.0 %** | – |",
            report,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Leave_one_speaker_out_folds_form_one_table_with_the_mean()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("fsdd-loso-george", "fsdd-loso-george",
            "electronic", new Dictionary<string, double[]> { ["pat"] = [0.5], ["digital"] = [0.6] });
        bench.WriteAccuracy("fsdd-loso-jackson", "fsdd-loso-jackson",
            "electronic", new Dictionary<string, double[]> { ["pat"] = [0.7], ["digital"] = [0.8] });

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("| george | 50.0 % | 60.0 % | 40 s |", report, StringComparison.Ordinal);
        Assert.Contains("| **mean** | **60.0 %** | **70.0 %** | 80 s |", report, StringComparison.Ordinal);
        Assert.Contains("| fsdd, leave one speaker out (2 folds, mean) | electronic | standard | – | **60.0 %** | – |",
            File.ReadAllText(bench.Readme), StringComparison.Ordinal);
    }

    [Fact]
    public void The_network_column_names_architecture_width_layers_scans_front_end_and_schedule()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("fsdd-mechanical-wide", "fsdd",
            "mechanical", new Dictionary<string, double[]> { ["pat"] = [0.95] }, network: new JsonObject
        {
            ["architecture"] = "wide",
            ["width"] = 16,
            ["layers"] = 1,
            ["scans"] = null,
            ["features"] = "speaker",
            ["augment"] = "speed",
            ["schedule"] = "cosine",
        });
        bench.WriteAccuracy("mnist-electronic", "mnist",
            "electronic", new Dictionary<string, double[]> { ["pat"] = [0.93] }, network: new JsonObject
        {
            ["architecture"] = "pixel-drive",
            ["width"] = null,
            ["layers"] = 2,
            ["scans"] = 4,
            ["features"] = "mfcc",
            ["schedule"] = "constant",
        });
        bench.WriteAccuracy("fsdd-electronic-voices", "fsdd",
            "electronic", new Dictionary<string, double[]> { ["pat"] = [0.97] }, network: new JsonObject
        {
            ["architecture"] = "wide",
            ["width"] = 16,
            ["layers"] = 1,
            ["features"] = "speaker",
            ["cepstra"] = 8,
            ["augment"] = "voices",
            ["schedule"] = "cosine",
            ["input_noise"] = 1.0,
        });

        ReportGenerator.Run(bench.Options());

        var readme = File.ReadAllText(bench.Readme);
        Assert.Contains("| fsdd | mechanical | wide ×16, 1 layer, speaker-normalised, speed-perturbed, cosine LR | – | "
            + "**95.0 %** |", readme, StringComparison.Ordinal);
        Assert.Contains("| mnist | electronic | pixel drive, 4 scans, 2 layers | – | **93.0 %** |", readme,
            StringComparison.Ordinal);
        Assert.Contains("| fsdd | electronic | wide ×16, 1 layer, speaker-normalised, 8 MFCCs, + synthetic voices, "
            + "cosine LR, input noise σ 1 | – | **97.0 %** |", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_ingest_bridge_rss_and_benchmarkdotnet_results_get_their_tables()
    {
        using var bench = new BenchFixture();
        bench.Write("inference-latency.json", new JsonObject
        {
            ["inferences"] = 200000,
            ["p50_us"] = 11.8,
            ["p99_us"] = 39.4,
            ["p999_us"] = 8129.0,
            ["max_us"] = 56215.0,
            ["allocated_bytes_per_inference"] = 0.0,
            ["peak_rss_bytes"] = 104857600,
            ["run"] = BenchFixture.Run(),
        });
        bench.Write("mqtt-ingest.json", new JsonObject
        {
            ["measurements"] = 100000,
            ["batch_size"] = 1000,
            ["record_bytes"] = 216,
            ["edge_measurements_per_s"] = 6163.0,
            ["edge_seconds"] = 16.23,
            ["edge_stored"] = 100000,
            ["edge_lost"] = 0,
            ["edge_duplicates"] = 0,
            ["raw_messages_per_s"] = 9210.0,
            ["raw_seconds"] = 6.51,
            ["raw_messages"] = 60000,
            ["raw_received"] = 60000,
            ["processors"] = 2,
        });
        bench.Write("bridge-link.json", JsonNode.Parse("""
            {"bench":"bridge-link","layer":"electronic","drives":400,"machine":"host","cores":2,
             "rows":[{"Baud":921600,"DrivesPerRequest":16,"RestSegments":6,"WaveformEfficiency":0.916,
              "DriveEfficiency":0.742,"ForwardsPerSecond":785.4,"Retransmissions":0},
                     {"Baud":115200,"LossRate":0.01,"MaxPayload":128,"RetryLimit":40,"DrivesPerRequest":2,
                      "RestSegments":6,"WaveformEfficiency":0.5,"DriveEfficiency":0.4,"ForwardsPerSecond":99.6,
                      "Retransmissions":321,"MaxErrorLsb":0.571},
                     {"Baud":115200,"LossRate":0.01,"MaxPayload":128,"DrivesPerRequest":1,"RestSegments":0,
                      "WaveformEfficiency":0.3,"DriveEfficiency":0.3,"ForwardsPerSecond":50,"Retransmissions":999,
                      "MaxErrorLsb":null,"Failure":"link failed"}]}
            """)!);
        bench.Write("agent-rss.json", JsonNode.Parse(
            """{"bench":"agent-rss","rows":[{"command":"edge-agent status","peak_rss_bytes":91121664}]}""")!);
        bench.Write("Edge.Benchmarks.ElectronicBenchmarks-report-full-compressed.json", JsonNode.Parse("""
            {"Title":"Edge.Benchmarks.ElectronicBenchmarks-20261125-065249",
             "HostEnvironmentInfo":{"ProcessorName":"AMD EPYC","LogicalCoreCount":2,
              "OsVersion":"Debian GNU/Linux 12 (bookworm)","RuntimeVersion":".NET 10.0.12"},
             "Benchmarks":[{"Type":"ElectronicBenchmarks","Method":"DeviceForward","Parameters":"",
              "Statistics":{"Mean":22900.3},"Memory":{"BytesAllocatedPerOperation":0}},
                           {"Type":"ElectronicBenchmarks","Method":"Broken","Parameters":"N=2","Statistics":null,
                            "Memory":null}]}
            """)!);

        bench.Write("agent-rss-run.json", new JsonObject
        {
            ["files_classified"] = 98,
            ["inferences"] = 4802,
            ["warmup_s"] = 10.0,
            ["sampled_s"] = 20.0,
            ["rss_min_mb"] = 80.1,
            ["rss_peak_mb"] = 88.4,
            ["uss_mb"] = 61.2,
            ["machine"] = "2 cores",
        });

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("Workload: `edge-agent run` classifying 98 files (4,802 inferences), sampled for 20 s after 10 "
            + "s of warm-up.", report, StringComparison.Ordinal);
        Assert.Contains("| rss peak | **88.4 MB** |", report, StringComparison.Ordinal);
        Assert.Contains("| uss | **61.2 MB** |", report, StringComparison.Ordinal);
        Assert.Contains("| 200,000 | 11.8 µs | **39.4 µs** | 8129.0 µs | 56215.0 µs | 0.0 |", report,
            StringComparison.Ordinal);
        Assert.Contains("| peak_rss_bytes | 104.9 MB |", report, StringComparison.Ordinal);
        Assert.Contains("(batches of 1000) | 100,000 measurements | 16.23 | **6,163** | 1.3 | 0 | 0 |", report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| 921,600 | 0.0 % | – | – | 16 | 6 | **91.6 %** | 74.2 % | 785 | 0 | – |",
            report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| 115,200 | 1.0 % | 128 | 40 | 2 | 6 | **50.0 %** | 40.0 % | 100 | 321 | 0.57 LSB |",
            report,
            StringComparison.Ordinal);
        Assert.Contains("| 999 | **did not complete**: link failed |", report, StringComparison.Ordinal);
        Assert.Contains("| `edge-agent status` | **91.1 MB** |", report, StringComparison.Ordinal);
        Assert.Contains("| ElectronicBenchmarks.DeviceForward | – | 22.90 µs | 0 B | 2026-11-25 06:52, M2 |", report,
            StringComparison.Ordinal);
        Assert.Contains("| ElectronicBenchmarks.Broken | N=2 | failed | – |", report, StringComparison.Ordinal);
        Assert.Contains("Measured on machine not recorded (date not recorded)", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Quick_and_recovered_figures_are_labelled_as_such()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-duffing", "vowels", "duffing", VowelModes, BenchFixture.Run(profile: "quick"));
        bench.WriteAccuracy("vowels-mechanical", "vowels", "mechanical", VowelModes,
            BenchFixture.Run(source: "docs/benchmarks.md at c308ced"));

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        var readme = File.ReadAllText(bench.Readme);
        Assert.Contains("> **Quick profile.**", report, StringComparison.Ordinal);
        Assert.Contains("| vowels *(quick)* | duffing |", readme, StringComparison.Ordinal);
        Assert.Contains("come from the quick profile", readme, StringComparison.Ordinal);
        Assert.Contains("| vowels *(recovered)* | mechanical |", readme, StringComparison.Ordinal);
        Assert.Contains("figures recovered from docs/benchmarks.md at c308ced", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_go_under_their_section_and_unmatched_notes_are_kept_at_the_end()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-electronic", "vowels", "electronic", VowelModes);
        File.WriteAllText(bench.Notes,
            "Intro.\n<!-- section: vowels-electronic -->\nPAT keeps its accuracy.\n<!-- section: direct-backend "
                + "-->\n## Direct backend\nHand-measured table.\n");

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        var note = report.IndexOf("PAT keeps its accuracy.", StringComparison.Ordinal);
        Assert.True(note > report.IndexOf("### vowels on electronic", StringComparison.Ordinal),
            "the note follows its result");
        Assert.True(note < report.IndexOf("## Agent inference latency", StringComparison.Ordinal),
            "the note stays in its section");
        Assert.True(report.IndexOf("## Direct backend\nHand-measured table.", StringComparison.Ordinal)
            > report.IndexOf("## Further notes", StringComparison.Ordinal));
    }

    [Fact]
    public void Plots_are_copied_and_shown_under_their_result()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-electronic", "vowels", "electronic", VowelModes);
        var plots = Directory.CreateDirectory(Path.Combine(bench.Root, "plots")).FullName;
        File.WriteAllBytes(Path.Combine(plots, "vowels-electronic-curves.png"), [0x89, 0x50, 0x4E, 0x47]);
        File.WriteAllBytes(Path.Combine(plots, "mnist-optical-curves.png"), [0x89, 0x50, 0x4E, 0x47]);
        File.WriteAllBytes(Path.Combine(plots, "vowels-electronic-zo-curves.png"), [0x89, 0x50, 0x4E, 0x47]);

        ReportGenerator.Run(bench.Options(plots));

        Assert.True(File.Exists(Path.Combine(bench.Images, "vowels-electronic-curves.png")));
        var report = File.ReadAllText(bench.Report);
        Assert.Contains("![vowels-electronic-curves](img/vowels-electronic-curves.png)", report,
            StringComparison.Ordinal);
        Assert.DoesNotContain("mnist-optical-curves.png)", report, StringComparison.Ordinal);
        Assert.DoesNotContain("vowels-electronic-zo-curves.png)", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backprop_free_run_of_its_own_is_compared_with_the_other_modes_on_the_same_part_and_epochs()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-electronic", "vowels", "electronic", VowelModes);
        bench.WriteAccuracy("vowels-electronic-zo", "vowels", "electronic",
            new Dictionary<string, double[]> { ["zo"] = [0.9, 0.9, 0.9] });
        bench.WriteAccuracy("vowels-mechanical", "vowels", "mechanical", VowelModes);

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        var table = report[report.IndexOf("## Every training mode", StringComparison.Ordinal)..];
        Assert.Contains("| 95.1 % | – | – | – | – | – | `vowels-electronic.json` |", table, StringComparison.Ordinal);
        Assert.Contains("| – | – | – | 90.0 % | – | – | `vowels-electronic-zo.json` |", table,
            StringComparison.Ordinal);
        Assert.DoesNotContain("`vowels-mechanical.json`", table, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_backprop_free_run_does_not_replace_the_field_run_in_the_profile_table()
    {
        using var bench = new BenchFixture();
        var field = new JsonObject { ["profile"] = "field" };
        var later = BenchFixture.Run();
        later["timestamp_utc"] = "2026-12-08T01:11:55Z";
        bench.WriteAccuracy("vowels-mechanical", "vowels", "mechanical", VowelModes);
        bench.WriteAccuracy("vowels-mechanical-field", "vowels", "mechanical", VowelModes, network: field);
        bench.WriteAccuracy("vowels-mechanical-field-dfa", "vowels", "mechanical",
            new Dictionary<string, double[]> { ["dfa"] = [0.4, 0.4, 0.4] }, later, network: field);

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        var table = report[report.IndexOf("## Lab against field profile", StringComparison.Ordinal)..];
        Assert.Contains("| 95.1 % → 95.1 % | `vowels-mechanical.json`, `vowels-mechanical-field.json` |", table,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_run_on_the_same_data_changes_nothing()
    {
        using var bench = new BenchFixture();
        bench.WriteAccuracy("vowels-electronic", "vowels", "electronic", VowelModes);
        Assert.Equal(2, ReportGenerator.Run(bench.Options()).Count);
        var report = File.ReadAllText(bench.Report);
        var readme = File.ReadAllText(bench.Readme);

        Assert.Empty(ReportGenerator.Run(bench.Options()));
        Assert.Equal(report, File.ReadAllText(bench.Report));
        Assert.Equal(readme, File.ReadAllText(bench.Readme));
    }

    [Fact]
    public void Fuzz_runs_form_one_table_with_a_row_per_decoder()
    {
        using var bench = new BenchFixture();
        bench.Write("fuzz-wav.json", JsonNode.Parse("""
            {"bench":"fuzz","generator":"managed mutation","inputsPerDecoder":1000,"decoders":[
              {"decoder":"wav","inputs":1000,"accepted":300,"refused":700,"crashes":0,"hangs":0,"stalls":1,
               "slowestMs":12.34,"seconds":2,"distinctRefusalClasses":37}]}
            """)!);
        bench.Write("fuzz-status.json", JsonNode.Parse("""
            {"bench":"fuzz","generator":"managed mutation","inputsPerDecoder":1000,"decoders":[
              {"decoder":"status","inputs":1000,"accepted":40,"refused":958,"crashes":2,"hangs":0,"slowestMs":3,
               "seconds":2,"distinctRefusalClasses":31}]}
            """)!);

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("## Hostile input: decoder fuzzing", report, StringComparison.Ordinal);
        Assert.Contains("| wav | 1,000 | 300 | 700 | 37 | **0** | **0** | 1 | 12.3 ms |", report,
            StringComparison.Ordinal);
        Assert.Contains("| status | 1,000 | 40 | 958 | 31 | **2** | **0** | 0 | 3.0 ms |", report,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_of_unknown_shape_is_shown_rather_than_dropped()
    {
        using var bench = new BenchFixture();
        bench.Write("agent-memory.json",
            new JsonObject { ["peak_working_set_mb"] = 87.5, ["command"] = "edge-agent run | tee" });

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("### agent-memory.json", report, StringComparison.Ordinal);
        Assert.Contains("| peak_working_set_mb | 87.5 |", report, StringComparison.Ordinal);
        Assert.Contains("| command | edge-agent run \\| tee |", report, StringComparison.Ordinal);
    }

    internal static JsonObject AgentRow(string speaker, string part, double random, double? byName) => new()
    {
        ["speaker"] = speaker,
        ["bench_pat"] = 0.5,
        ["bench_digital"] = null,
        ["pipeline"] = 0.49,
        ["trained_part"] = "sim-0001",
        ["agent_part"] = part,
        ["agent_random_order"] = random,
        ["agent_name_order"] = byName,
    };
}
