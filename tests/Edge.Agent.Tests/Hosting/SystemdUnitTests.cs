using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Edge.Agent.Messaging;
using Edge.Domain.Data;

namespace Edge.Agent.Tests.Hosting;

/// <summary>
/// The systemd unit as shipped: hardened (systemd's own offline scoring, with and without the backend drop-ins), with
/// a state directory that the agent's relative default paths resolve into, and a start limit.
/// </summary>
public sealed partial class SystemdUnitTests
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

    private static string Install(string root, string? dropIn)
    {
        var units = Directory.CreateDirectory(Path.Combine(root, "etc", "systemd", "system")).FullName;
        File.Copy(Path.Combine(DeployFolder, "edge-agent.service"), Path.Combine(units, "edge-agent.service"));
        if (dropIn is not null)
        {
            var folder = Directory.CreateDirectory(Path.Combine(units, "edge-agent.service.d")).FullName;
            File.Copy(Path.Combine(DeployFolder, "edge-agent.service.d", dropIn), Path.Combine(folder, dropIn));
        }

        return root;
    }

    private static async Task<double> ExposureAsync(string root)
    {
        string[] arguments = ["security", "--offline=true", "--root=" + root, "edge-agent.service"];
        var start = new ProcessStartInfo("systemd-analyze", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("systemd-analyze could not be started (Debian package: systemd)");
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var match = OverallExposure().Match(output);
        Assert.True(match.Success, $"systemd-analyze printed no overall exposure (exit {process.ExitCode}): {errors}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Overall exposure level for edge-agent\.service: (\d+\.\d+)")]
    private static partial Regex OverallExposure();
}
