using System.Diagnostics;
using Edge.Agent.Configuration;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Tests.Hosting;

public sealed class PartEnvironmentReloadTests
{
    private static readonly Dictionary<string, string?> Device = new()
    {
        ["EDGE_DEVICE__SYSTEM"] = "electronic",
        ["EDGE_DEVICE__DEVICEID"] = "sim-reload",
    };

    private static void WriteSettings(string path, string environment) => File.WriteAllText(
        path, $$"""{ "Edge": { "Device": { "Environment": { {{environment}} } } } }""");

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting for: {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_saved_settings_file_changes_the_running_parts_environment_and_a_bad_value_changes_nothing()
    {
        using var folder = new TempDirectory();
        var settings = folder.File("appsettings.json");
        WriteSettings(settings, "\"AmbientKelvin\": 5");
        await using var host = await ServiceHost.StartAsync(Device, settingsFile: settings);
        var part = (SimulatedDevice)host.Services.GetRequiredService<IPhysicalDevice>();
        Assert.Equal(new PartEnvironment { AmbientKelvin = 5 }, part.Environment);

        WriteSettings(settings, "\"AmbientKelvin\": 30, \"Ageing\": 0.02, \"PartId\": \"sim-spare\"");
        var wanted = new PartEnvironment { AmbientKelvin = 30, Ageing = 0.02, PartId = "sim-spare" };
        await WaitForAsync(() => Equals(part.Environment, wanted), "the reloaded environment applied");

        // Out of range, then not a number: both logged and ignored, the part keeps what it had.
        WriteSettings(settings, "\"AmbientKelvin\": 30, \"Gain\": 0");
        WriteSettings(settings, "\"AmbientKelvin\": \"warm\"");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(wanted, part.Environment);

        WriteSettings(settings, "\"AmbientKelvin\": 0");
        await WaitForAsync(() => Equals(part.Environment, PartEnvironment.Calibrated), "back to calibration");
    }

    [Theory]
    [InlineData("Gain", 0)]
    [InlineData("Ageing", 2)]
    [InlineData("AmbientKelvin", 1e6)]
    public void A_bad_environment_at_start_is_refused_naming_its_key(string setting, double value)
    {
        var environment = setting switch
        {
            "Gain" => new PartEnvironmentOptions { Gain = value },
            "Ageing" => new PartEnvironmentOptions { Ageing = value },
            _ => new PartEnvironmentOptions { AmbientKelvin = value },
        };
        var options = new DeviceOptions { DeviceId = "sim-bad", Environment = environment };
        var result = new DeviceOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var expected = $"Edge:Device:Environment:{setting}: Part environment '{setting}' must be";
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_simulated_backend_takes_an_environment()
    {
        var options = new DeviceOptions
        {
            DeviceId = "bridge-1",
            Backend = DeviceBackends.Bridge,
            Bridge = new BridgeBackendOptions { Tcp = "localhost:5555" },
            Environment = new PartEnvironmentOptions { AmbientKelvin = 10 },
        };
        var result = new DeviceOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var expected = "Edge:Device:Environment: only the 'simulated' backend";
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
