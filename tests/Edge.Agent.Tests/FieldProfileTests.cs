using Edge.Agent.Commands;
using Edge.Agent.Configuration;
using Edge.Agent.Csv;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

namespace Edge.Agent.Tests;

public sealed class FieldProfileTests
{
    [Fact]
    public async Task Edge_Device_Profile_field_makes_the_agent_host_the_field_part()
    {
        using var directory = new TempDirectory();
        var system = PhysicalSystems.Get("electronic");
        var drives = new float[4 * system.Spec.DriveLength];
        var random = new NoiseSource(9);
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextUniform(-1, 1);
        }

        var drivesPath = directory.File("drives.csv");
        await using (var writer = File.CreateText(drivesPath))
        {
            ValueCsv.Write(writer, drives, system.Spec.DriveLength);
        }

        var outPath = directory.File("responses.csv");
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__PROFILE"] = "field" };
        var (exitCode, _, error) = await AgentRun.InvokeAsync(
            environment, "device", "forward", "--device-id", "p3", "--noise-seed", "4", "--drives", drivesPath,
            "--out", outPath);

        Assert.True(exitCode == ExitCodes.Success, error);
        var measured = ValueCsv.Read(outPath, system.Spec.OutputSize);
        var field = new float[measured.Length];
        FieldProfiles.CreateDevice(system, "p3", 4, DeviceProfile.Field).Forward(drives, field);
        var lab = new float[measured.Length];
        system.CreateDevice("p3", 4).Forward(drives, lab);
        Assert.Equal(field, measured);
        Assert.NotEqual(lab, measured);
    }

    [Fact]
    public void An_unknown_profile_is_refused_naming_the_key_and_the_known_profiles()
    {
        var result = new DeviceOptionsValidator().Validate(
            null, new DeviceOptions { System = "electronic", DeviceId = "p1", Profile = "desert" });

        Assert.True(result.Failed);
        Assert.Contains("Edge:Device:Profile", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'desert'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("lab, field", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_field_profile_is_refused_for_hardware_backends()
    {
        var result = new DeviceOptionsValidator().Validate(
            null,
            new DeviceOptions
            {
                System = "electronic", DeviceId = "p1", Profile = "field", Backend = DeviceBackends.Bridge,
            });

        Assert.True(result.Failed);
        Assert.Contains("Edge:Device:Profile", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("simulated", result.FailureMessage, StringComparison.Ordinal);
    }
}
