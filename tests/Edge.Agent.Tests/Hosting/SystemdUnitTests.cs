using Edge.Agent.Messaging;
using Edge.Domain.Data;
using Edge.Tests.Shared;

namespace Edge.Agent.Tests.Hosting;

/// <summary>
/// The systemd unit as shipped: hardened (systemd's own offline scoring, with and without the backend drop-ins), with
/// a state directory that the agent's relative default paths resolve into, and a start limit.
/// </summary>
public sealed class SystemdUnitTests
{
    private const double MaxExposure = 2.0;

    private static string DeployFolder => Path.Combine(
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"),
        "agent", "Edge.Agent", "deploy");

    [Fact]
    public async Task Unit_alone_is_rated_at_most_2_0_by_systemd_analyze_security()
    {
        using var root = new TempDirectory();
        Install(root.Path, dropIn: null);

        Assert.InRange(await ExposureAsync(root.Path), 0, MaxExposure);
    }

    [Theory]
    [InlineData("direct.conf")]
    [InlineData("bridge.conf")]
    public async Task Unit_with_a_backend_drop_in_stays_at_most_2_0(string dropIn)
    {
        using var root = new TempDirectory();
        Install(root.Path, dropIn);
        var alone = await ExposureAsync(Install(Path.Combine(root.Path, "alone"), dropIn: null));

        var exposure = await ExposureAsync(root.Path);

        // Higher than the unit alone proves the drop-in was read (it opens device nodes), yet still within target.
        Assert.InRange(exposure, alone + 0.05, MaxExposure);
    }

    [Fact]
    public void State_lives_in_the_state_directory_and_the_agent_defaults_are_relative_to_it()
    {
        var unit = File.ReadAllLines(Path.Combine(DeployFolder, "edge-agent.service"));

        Assert.Contains("StateDirectory=edge-agent", unit);
        Assert.Contains("WorkingDirectory=/var/lib/edge-agent", unit);
        Assert.Contains(unit, line => line.StartsWith("StartLimitBurst=", StringComparison.Ordinal));
        Assert.False(
            Path.IsPathRooted(new MqttOptions().OutboxPath),
            "the outbox default must resolve in the state directory");
    }

    private static string Install(string root, string? dropIn) => SystemdSecurity.Install(
        root,
        Path.Combine(DeployFolder, "edge-agent.service"),
        dropIn is null ? null : Path.Combine(DeployFolder, "edge-agent.service.d", dropIn));

    private static Task<double> ExposureAsync(string root) => SystemdSecurity.ExposureAsync(root, "edge-agent.service");
}
