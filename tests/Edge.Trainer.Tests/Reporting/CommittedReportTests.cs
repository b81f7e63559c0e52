using Edge.Domain.Data;
using Edge.Trainer.Cli;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

public sealed class CommittedReportTests
{
    private const string Regenerate =
        "dotnet run -c Release --project host-trainer/Edge.Trainer -- report --readme README.md";

    [Fact]
    public void The_committed_report_and_readme_table_are_what_the_generator_makes_of_the_committed_data()
    {
        var root = DataPaths.FindRepositoryRoot()
            ?? throw new InvalidOperationException("The test must run inside the repository (no Edge.sln found).");
        var copy = Directory.CreateTempSubdirectory("edge-report-committed-");
        try
        {
            var docs = Directory.CreateDirectory(Path.Combine(copy.FullName, "docs")).FullName;
            File.Copy(Path.Combine(root, "docs", "benchmarks-notes.md"), Path.Combine(docs, "benchmarks-notes.md"));
            File.Copy(Path.Combine(root, "README.md"), Path.Combine(copy.FullName, "README.md"));

            ReportGenerator.Run(new ReportOptions
            {
                DataFolder = Path.Combine(root, "docs", "bench-data"),
                DataFolderDisplay = "docs/bench-data",
                OutputPath = Path.Combine(docs, "benchmarks.md"),
                NotesPath = Path.Combine(docs, "benchmarks-notes.md"),
                ImageFolder = Path.Combine(docs, "img"),
                PlotsFolder = Path.Combine(root, "docs", "img"),
                ReadmePath = Path.Combine(copy.FullName, "README.md"),
            });

            Assert.True(
                File.ReadAllText(Path.Combine(docs, "benchmarks.md"))
                    == File.ReadAllText(Path.Combine(root, "docs", "benchmarks.md")),
                $"docs/benchmarks.md is not what its data and notes give: write by hand only in "
                    + $"docs/benchmarks-notes.md, then run `{Regenerate}`.");
            Assert.True(
                File.ReadAllText(Path.Combine(copy.FullName, "README.md"))
                    == File.ReadAllText(Path.Combine(root, "README.md")),
                $"The README's headline table is out of date: run `{Regenerate}`.");
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_report_verb_exits_2_on_bad_data_and_writes_nothing()
    {
        using var bench = new BenchFixture();
        var exitCode = ReportCommand.Create()
            .Parse(["--data", bench.Data, "--out", bench.Report, "--notes", bench.Notes, "--img", bench.Images])
                .Invoke();

        Assert.Equal(2, exitCode);
        Assert.False(File.Exists(bench.Report));
    }
}
