using System.Text.Json.Nodes;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Tests.Reporting;

/// <summary>
/// <c>loso-agent --commission</c>: the other parts commissioned, with the session's calibration figures before and
/// after its fine-tune and the agent's figure after it.
/// </summary>
public sealed class AgentParityCommissionTests
{
    [Fact]
    public void Commissioned_parts_form_a_table_with_the_agent_before_and_after()
    {
        using var bench = new BenchFixture();
        bench.Write("loso-agent-commission.json", new JsonObject
        {
            ["bench"] = "loso-agent",
            ["system"] = "electronic",
            ["rows"] = new JsonArray(
                Row("george", "sim-0001", 0.8, null),
                Row("george", "edge-sim-0001", 0.7, Commissioned("commissioned", 0.71, 0.82, 0.81)),
                Row("george", "sim-0002", 0.79, Commissioned("refused", 0.78, 0.77, null))),
            ["run"] = BenchFixture.Run(),
        });

        ReportGenerator.Run(bench.Options());

        var report = File.ReadAllText(bench.Report);
        Assert.Contains(
            "| held-out speaker | agent part | agent before | calibration before | calibration after | agent after "
            + "| state | seconds |",
            report,
            StringComparison.Ordinal);
        Assert.Contains(
            "| george | edge-sim-0001 | 70.0 % | 71.0 % | 82.0 % | **81.0 %** | commissioned | 42 |",
            report,
            StringComparison.Ordinal);
        Assert.Contains("| george | sim-0002 | 79.0 % | 78.0 % | 77.0 % | **–** | refused | 42 |", report,
            StringComparison.Ordinal);
        Assert.DoesNotContain("| george | sim-0001 | 80.0 % |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_commissioning_without_its_state_is_named_with_its_file()
    {
        using var bench = new BenchFixture();
        var commissioned = Commissioned("commissioned", 0.7, 0.8, 0.8);
        commissioned.Remove("state");
        bench.Write("loso-agent-commission.json", new JsonObject
        {
            ["bench"] = "loso-agent",
            ["system"] = "electronic",
            ["rows"] = new JsonArray(Row("george", "sim-0002", 0.7, commissioned)),
            ["run"] = BenchFixture.Run(),
        });

        var error = Assert.Throws<BenchDataException>(() => ReportGenerator.Run(bench.Options()));

        Assert.Contains("loso-agent-commission.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("state", error.Message, StringComparison.Ordinal);
    }

    private static JsonObject Commissioned(string state, double before, double after, double? agent) => new()
    {
        ["state"] = state,
        ["version"] = 2,
        ["seconds"] = 42.0,
        ["calibration_before"] = before,
        ["calibration_after"] = after,
        ["agent_random_order"] = agent,
        ["verdict"] = "as the agent said",
    };

    private static JsonObject Row(string speaker, string part, double random, JsonObject? commissioned)
    {
        var row = ReportGeneratorTests.AgentRow(speaker, part, random, byName: null);
        if (commissioned is not null)
        {
            row["commissioned"] = commissioned;
        }

        return row;
    }
}
