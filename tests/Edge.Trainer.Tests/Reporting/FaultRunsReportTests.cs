using System.Text.Json.Nodes;
using Edge.Trainer.Reporting.Report;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Edge.Trainer.Tests.Reporting;

/// <summary>
/// The generated "Fault bench: every run so far" section: fault bench files under <c>faults-runs/</c>, one per
/// invocation, summed row by row with the commits the runs came from.
/// </summary>
public sealed class FaultRunsReportTests
{
    [Fact]
    public void Runs_of_separate_invocations_add_up_per_row_with_their_commits()
    {
        using var bench = new BenchFixture();
        Directory.CreateDirectory(Path.Combine(bench.Data, "faults-runs"));
        bench.Write("faults-runs/a.json", Faults("aaa1111",
            Row("agent-kill", Run(900, 900, 0, 0, 14.0), Run(800, 800, 0, 0, 2.0)),
            Row("trainer-kill", Run(1000, 990, 10, 8, null))));
        bench.Write("faults-runs/b.json", Faults("bbb2222",
            Row("agent-kill", Run(700, 700, 0, 4, 6.0)),
            Row("trainer-kill", Run(500, 500, 0, 0, 1.0), Run(600, 600, 0, 0, 3.0))));
        // A fault file outside faults-runs/ is history, not part of the sum.
        bench.Write("faults-old.json", Faults("ccc3333", Row("agent-kill", Run(5000, 1, 0, 0, 1.0))));

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("## Fault bench: every run so far", report, StringComparison.Ordinal);
        Assert.Contains("added up row by row: 6 runs, 4,500 answered drives, 10 lost.", report,
            StringComparison.Ordinal);
        Assert.Contains("| kill agent-kill | 3 | 2,400 | 2,400 | 0 | 0 | 4 | 6.0, 14.0 | 1.0 | 0 | 0 | 30.0 "
            + "| commit aaa1111 (2), commit bbb2222 (1) |", report, StringComparison.Ordinal);
        Assert.Contains("| kill trainer-kill | 3 | 2,100 | 2,090 | 10 | 10 | 8 | 2.0, 3.0 (1 never) | 1.0 | 0 | 0 "
            + "| 30.0 | commit aaa1111 (1), commit bbb2222 (2) |", report, StringComparison.Ordinal);
        Assert.Contains("- `faults-runs/a.json`: 3 runs, commit aaa1111;", report, StringComparison.Ordinal);
        Assert.DoesNotContain("5,000", report.Split("## Other results")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_of_another_volume_are_refused_naming_the_file_and_the_volume()
    {
        using var bench = new BenchFixture();
        Directory.CreateDirectory(Path.Combine(bench.Data, "faults-runs"));
        var faults = Faults("aaa1111", Row("agent-kill", Run(10, 10, 0, 0, 1.0)));
        faults["volume_name"] = "short";
        bench.Write("faults-runs/short.json", faults);

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));

        Assert.Contains("short.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("'volume_name' is 'short'", error.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 100)]
    public Property However_the_runs_are_split_into_files_the_sums_are_those_of_one_file()
    {
        var runs = Gen.Choose(0, 50).SelectMany(stored => Gen.Choose(0, 5).SelectMany(lost => Gen.Choose(0, 3)
            .Select(duplicated => new FaultRepetition(stored + lost, stored, lost / 2, duplicated, 1, 1, 0, 10))));
        var cases = from list in runs.ListOf() from cuts in Gen.Choose(1, 4) select (list, cuts);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var all = c.list.ToList();
            var files = Enumerable.Range(0, c.cuts).Select(i => new FaultRunFile($"f{i}.json", $"c{i}",
                [new FaultRowRuns("r", "f", [.. all.Where((_, k) => k % c.cuts == i)], i)], null)).ToList();

            var row = Assert.Single(FaultRunsSection.Sum(files));

            Assert.Equal(all.Count, row.Runs);
            Assert.Equal(all.Sum(r => r.Answered), row.Answered);
            Assert.Equal(all.Sum(r => r.Answered - r.Stored), row.Lost);
            Assert.Equal(all.Sum(r => r.Duplicated), row.Duplicated);
            Assert.Equal(all.Sum(r => r.Pending), row.Pending);
            Assert.Equal(Enumerable.Range(0, c.cuts).Sum(), row.FailedRuns);
            Assert.Equal(Enumerable.Range(0, c.cuts).Select(i => $"c{i}"), row.Commits.Select(x => x.Commit));
            Assert.Equal(all.Count, row.Commits.Sum(x => x.Runs));
        });
    }

    private static JsonObject Faults(string commit, params JsonObject[] rows) => new()
    {
        ["bench"] = "faults",
        ["volume_name"] = "bench",
        ["commit"] = commit,
        ["rows"] = new JsonArray([.. rows]),
        ["run"] = BenchFixture.Run(),
    };

    private static JsonObject Row(string name, params JsonObject[] runs) => new()
    {
        ["row"] = name,
        ["fault"] = $"kill {name}",
        ["failed_runs"] = new JsonArray(),
        ["repetitions"] = new JsonArray([.. runs]),
    };

    // Each run spends 10 s in each of three phases (30 s) and drains in 1 s.
    private static JsonObject Run(int answered, int stored, int pending, int duplicated, double? recovery) => new()
    {
        ["Answered"] = answered,
        ["Stored"] = stored,
        ["Pending"] = pending,
        ["Duplicated"] = duplicated,
        ["RecoverySeconds"] = recovery,
        ["DrainSeconds"] = 1.0,
        ["AgentRestarts"] = 0,
        ["Lost"] = answered - stored,
        ["Phases"] = new JsonObject { ["field"] = 10.0, ["fault"] = 10.0, ["drain"] = 10.0 },
    };
}
