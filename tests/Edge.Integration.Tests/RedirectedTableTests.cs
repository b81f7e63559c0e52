namespace Edge.Integration.Tests;

/// <summary>Tables written to a pipe (a log, the journal) keep every row on one line.</summary>
public sealed class RedirectedTableTests
{
    [Fact]
    public async Task The_systems_table_is_not_wrapped_at_80_columns_when_output_is_redirected()
    {
        var (code, output) = await TrainerProcess.RunAsync("systems");

        Assert.Equal(0, code);
        var rows = output.Split('\n').Where(l => l.StartsWith('│')).ToList();
        // One header row and one row per system: a wrapped table has continuation rows.
        Assert.Equal(1 + Edge.Domain.Simulation.PhysicalSystems.All.Count, rows.Count);
        Assert.Contains(rows, r => r.Length > 80);
    }
}
