using System.Text.Json;
using Edge.Agent.Commands;

namespace Edge.Agent.Tests;

public sealed class DeviceInfoTests
{
    [Fact]
    public async Task Info_prints_the_configured_id_system_and_spec_json()
    {
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__SYSTEM"] = "duffing",
            ["EDGE_DEVICE__DEVICEID"] = "pi-kitchen-7" };

        var (exitCode, output, error) = await AgentRun.InvokeAsync(environment, "device", "info");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Empty(error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("pi-kitchen-7", document.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal("duffing", document.RootElement.GetProperty("system").GetString());
        var spec = document.RootElement.GetProperty("spec");
        Assert.Equal(12, spec.GetProperty("inputSize").GetInt32());
        Assert.Equal(24, spec.GetProperty("driveLayout").GetArrayLength());
        var duffing = JsonDocument.Parse(Domain.Simulation.PhysicalSystems.Get("duffing").Spec.ToJson()).RootElement;
        Assert.Equal(JsonSerializer.Serialize(duffing), JsonSerializer.Serialize(spec));
    }

    [Fact]
    public async Task Command_line_overrides_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__SYSTEM"] = "warp-drive",
            ["EDGE_DEVICE__DEVICEID"] = "env-id" };

        var (exitCode, output, _) = await AgentRun.InvokeAsync(environment, "device", "info", "--system", "duffing",
            "--device-id", "cli-id");

        Assert.Equal(ExitCodes.Success, exitCode);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("cli-id", document.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal("duffing", document.RootElement.GetProperty("spec").GetProperty("name").GetString());
    }
}
