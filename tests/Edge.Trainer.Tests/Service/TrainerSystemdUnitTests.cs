using Edge.Domain.Data;

namespace Edge.Trainer.Tests.Service;

/// <summary>
/// The trainer's systemd unit as shipped: hardened like the agent's, with a state directory and a watchdog.
/// </summary>
public sealed class TrainerSystemdUnitTests
{
    private static string UnitFile => Path.Combine(
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"),
        "host-trainer", "Edge.Trainer", "deploy", "edge-trainer.service");

    [Fact]
    public async Task Unit_is_rated_at_most_2_0_by_systemd_analyze_security()
    {
        var root = Directory.CreateTempSubdirectory("edge-trainer-unit-");
        try
        {
            SystemdSecurity.Install(root.FullName, UnitFile);

            Assert.InRange(await SystemdSecurity.ExposureAsync(root.FullName, "edge-trainer.service"), 0, 2.0);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void State_lives_in_the_state_directory_and_systemd_hears_ready_and_watchdog_pings()
    {
        var unit = File.ReadAllLines(UnitFile);

        Assert.Contains("Type=notify", unit);
        Assert.Contains("ExecStart=/opt/edge-trainer/edge-trainer serve", unit);
        Assert.Contains("StateDirectory=edge-trainer", unit);
        Assert.Contains("WorkingDirectory=/var/lib/edge-trainer", unit);
        Assert.Contains("RestartPreventExitStatus=3", unit);
        Assert.Contains(unit, line => line.StartsWith("StartLimitBurst=", StringComparison.Ordinal));
        var watchdog = unit.Single(line => line.StartsWith("WatchdogSec=", StringComparison.Ordinal));

        // Pings go out every half WatchdogSec; a stalled ingest loop must be noticed before systemd gives up.
        var seconds = int.Parse(watchdog["WatchdogSec=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(Edge.Trainer.Service.IngestService.StallLimit.TotalSeconds, seconds / 2.0, seconds);
        Assert.False(Path.IsPathRooted(new Edge.Trainer.Service.StoreOptions().Connection));
    }
}
