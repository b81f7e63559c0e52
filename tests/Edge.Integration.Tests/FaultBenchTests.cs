using Edge.Tests.Shared.Faults;

namespace Edge.Integration.Tests;

/// <summary>
/// The short run of the fault bench (docs/reliability.md) in CI: every row once, with small volumes, on real
/// processes — mosquitto with the shipped configuration, <c>edge-agent run</c>, <c>edge-trainer serve --store</c> —
/// and a stock MQTT client's tagged PAT drives. Every drive an agent answered must be in the trainer's store, no
/// fault may make an agent exit, and the model-store rows must keep their promises (a valid model boots).
/// </summary>
[Trait("Category", "Fault")]
public sealed class FaultBenchTests
{
    public static TheoryData<string> Rows { get; } = new(FaultRows.All.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Every_answered_drive_is_stored_and_no_agent_exits(string row)
    {
        MosquittoBroker.RequireInstalled();
        var fault = FaultRows.Named(row);
        if (fault.SkipReason() is { } reason)
        {
            Assert.Skip(reason);
        }

        // Under /tmp itself, which the mosquitto user can traverse (the runner opens the folder to it).
        var work = Directory.CreateTempSubdirectory("edge-faults-").FullName;
        FaultOutcome outcome;
        try
        {
            outcome = await FaultRunner.RunAsync(
                fault, FaultVolume.Short, 1, FaultExecutables.BesideThisAssembly(), work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Assert.True(outcome.Answered > 0, $"{row}: the agent answered nothing. {outcome.Note}");
        Assert.True(outcome.Lost == 0, $"{row}: {outcome.Lost} of {outcome.Answered} answered drives are not in "
            + $"the trainer's store. {outcome.Note}");
        Assert.True(outcome.AgentRestarts == 0, $"{row}: the agent exited {outcome.AgentRestarts}×. {outcome.Note}");
        Assert.True(outcome.Violations.Count == 0, $"{row}: {string.Join("; ", outcome.Violations)}");
    }
}
