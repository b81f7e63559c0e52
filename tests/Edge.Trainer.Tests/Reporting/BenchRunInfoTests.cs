using System.Text.Json.Nodes;
using Edge.Trainer.Reporting;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

public sealed class BenchRunInfoTests
{
    [Fact]
    public void The_run_block_describes_the_command_machine_and_time_and_reads_back_as_a_command_line()
    {
        var run = BenchRunInfo.Describe("tests/Edge.Benchmarks",
            ["ingest", "--count", "5000", "--out", "my results.json"]);
        var machine = run["machine"]!.AsObject();
        Assert.Equal(Environment.ProcessorCount, machine["cores"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(machine["cpu"]!.GetValue<string>()));
        Assert.StartsWith(".NET ", machine["dotnet"]!.GetValue<string>(), StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(3, machine["load_average"]!.AsArray().Count);
        }

        var stamp = DateTimeOffset.Parse(run["timestamp_utc"]!.GetValue<string>(),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - stamp, TimeSpan.Zero, TimeSpan.FromMinutes(1));

        using var bench = new BenchFixture();
        bench.Write("mqtt-ingest.json", new JsonObject
        {
            ["measurements"] = 5000,
            ["batch_size"] = 1000,
            ["record_bytes"] = 216,
            ["edge_measurements_per_s"] = 6163.0,
            ["edge_seconds"] = 0.8,
            ["edge_lost"] = 0,
            ["edge_duplicates"] = 0,
            ["raw_messages_per_s"] = 9210.0,
            ["raw_seconds"] = 0.5,
            ["raw_messages"] = 5000,
            ["raw_received"] = 5000,
            ["run"] = run,
        });
        var read = BenchDataReader.Read(bench.Data).Ingest.Single().Run!;
        Assert.Equal("dotnet run -c Release --project tests/Edge.Benchmarks -- ingest --count 5000 --out 'my "
            + "results.json'", read.Command);
        Assert.Equal(Environment.ProcessorCount, read.Machine!.Cores);
    }
}
