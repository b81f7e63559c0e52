using System.Text.Json.Nodes;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

/// <summary><c>loso-agent --noise</c>: the held-out words through the agent in room noise, one column per condition.
/// </summary>
public sealed class AgentParityNoiseTests
{
    [Fact]
    public void Noisy_runs_form_a_table_per_result_with_a_column_per_condition_and_the_mean()
    {
        using var bench = new BenchFixture();
        bench.Write("loso-agent-noise.json", new JsonObject
        {
            ["bench"] = "loso-agent",
            ["system"] = "electronic",
            ["rows"] = new JsonArray(
                Row("george", "sim-0001", 0.8, new() { ["white 10 dB"] = 0.6, ["babble 5 dB"] = 0.3 }),
                Row("jackson", "sim-0001", 0.9, new() { ["white 10 dB"] = 0.7, ["babble 5 dB"] = 0.5 }),
                Row("jackson", "sim-0002", 0.85, null)),
            ["run"] = BenchFixture.Run(),
        });

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains("| held-out speaker | clean | white 10 dB | babble 5 dB |", report, StringComparison.Ordinal);
        Assert.Contains("| george | 80.0 % | 60.0 % | 30.0 % |", report, StringComparison.Ordinal);
        Assert.Contains("| **mean** | 85.0 % | 65.0 % | 40.0 % |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("| jackson | 85.0 % |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_noisy_figure_that_is_not_a_fraction_is_named_with_its_file()
    {
        using var bench = new BenchFixture();
        bench.Write("loso-agent-noise.json", new JsonObject
        {
            ["bench"] = "loso-agent",
            ["system"] = "electronic",
            ["rows"] = new JsonArray(Row("george", "sim-0001", 0.8, new() { ["white 10 dB"] = 60 })),
            ["run"] = BenchFixture.Run(),
        });

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));

        Assert.Contains("loso-agent-noise.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("agent_random_order_noisy", error.Message, StringComparison.Ordinal);
    }

    private static JsonObject Row(string speaker, string part, double clean, JsonObject? noisy)
    {
        var row = ReportGeneratorTests.AgentRow(speaker, part, clean, byName: null);
        if (noisy is not null)
        {
            row["agent_random_order_noisy"] = noisy;
        }

        return row;
    }
}
