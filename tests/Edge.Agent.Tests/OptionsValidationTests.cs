using Edge.Agent.Commands;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Domain.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Unknown_system_is_rejected_naming_the_key_and_the_known_systems()
    {
        var result = new DeviceOptionsValidator().Validate(null,
            new DeviceOptions { System = "warp-drive", DeviceId = "p1" });

        Assert.True(result.Failed);
        Assert.Contains("Edge:Device:System", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'warp-drive'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("duffing", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_device_id_is_rejected_naming_the_key(string deviceId)
    {
        var result = new DeviceOptionsValidator().Validate(null,
            new DeviceOptions { System = "duffing", DeviceId = deviceId });

        Assert.True(result.Failed);
        Assert.Contains("Edge:Device:DeviceId", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Known_system_with_an_id_is_accepted_whatever_the_case()
    {
        var result = new DeviceOptionsValidator().Validate(null,
            new DeviceOptions { System = "DUFFING", DeviceId = "p1" });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Unknown_console_formatter_is_rejected_naming_the_key()
    {
        var result = new ConsoleLogFormatOptionsValidator().Validate(null,
            new ConsoleLogFormatOptions { FormatterName = "xml" });

        Assert.True(result.Failed);
        Assert.Contains("Edge:Logging:Console:FormatterName", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new ConsoleLogFormatOptionsValidator().Validate(null, new ConsoleLogFormatOptions { FormatterName =
            "json" }).Succeeded);
    }

    [Fact]
    public async Task Bad_system_on_the_command_line_exits_with_the_configuration_code()
    {
        var (exitCode, output, error) = await AgentRun.InvokeAsync(null, "device", "info", "--system", "warp-drive",
            "--device-id", "p1");

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Empty(output);
        Assert.Contains("Edge:Device:System", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_device_id_exits_with_the_configuration_code()
    {
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__DEVICEID"] = "" };

        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "info", "--system", "duffing");

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains("Edge:Device:DeviceId", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_configuration_problem_is_listed_with_its_key_in_plain_words()
    {
        var environment = new Dictionary<string, string?>
        {
            ["EDGE_MODLES__STOREDIRECTORY"] = "/tmp/store",
            ["EDGE_DEVICE__SYTEM"] = "duffing",
            ["EDGE_DEVICE__SEED"] = "twelve",
            ["EDGE_DEVICE__DIRECT__DACC"] = "mcp4922",
            ["EDGE_MQTT__KEEPALIVESECONDS"] = "1.5",
            ["EDGE_MQTT__ENABLED"] = "yes",
            ["EDGE_MODELS__TRUSTEDKEYPATHS__first"] = "/tmp/k.pem",
            ["EDGE_METRICS__PORT"] = "9100",
            ["EDGE_INFERENCE__POLLMILLISECONDS"] = "250",
            ["EDGE_LOGGING__LOGLEVEL__EDGE.AGENT"] = "Debug",
            ["EDGE_DEVICE__DEVICEID"] = "",
            ["EDGE_DATA_DIR"] = "/tmp/data",
        };

        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "info");

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        string[] expected =
        [
            "Edge:MODLES: unknown section; the sections under Edge are "
                + "Device, Inference, Logging, Metrics, Models, Mqtt, Supervision.",
            "Edge:Device:SYTEM: unknown key; the keys under Edge:Device are "
                + "System, DeviceId, Seed, Profile, Backend, Direct, Bridge, Environment.",
            "Edge:Device:Seed: 'twelve' is not a whole number ≥ 0 (no sign, no decimal point).",
            "Edge:Device:Direct:DACC: unknown key; the keys under Edge:Device:Direct are",
            "Edge:Mqtt:KeepAliveSeconds: '1.5' is not a whole number (no decimal point).",
            "Edge:Mqtt:Enabled: 'yes' is not true or false.",
            "Edge:Models:TrustedKeyPaths:first: a list takes items numbered 0, 1, 2, …, not 'first'.",
        ];
        foreach (var problem in expected)
        {
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("were not found", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to convert", error, StringComparison.Ordinal);
        Assert.DoesNotContain("METRICS", error, StringComparison.Ordinal);
        Assert.DoesNotContain("DATA_DIR", error, StringComparison.Ordinal);
        Assert.DoesNotContain("LOGGING", error, StringComparison.Ordinal);
        Assert.DoesNotContain("INFERENCE", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_errors_are_listed_in_the_same_run_as_unknown_keys_and_bad_values_of_their_section()
    {
        var environment = new Dictionary<string, string?>
        {
            ["EDGE_MQTT__ENABLED"] = "true",
            ["EDGE_MQTT__URL"] = "http://broker",
            ["EDGE_MQTT__KEEPALIVE"] = "30",
            ["EDGE_METRICS__PORT"] = "70000",
            ["EDGE_METRICS__HOSTT"] = "+",
            ["EDGE_DEVICE__SEED"] = "twelve",
            ["EDGE_DEVICE__DEVICEID"] = "",
        };

        // run: the verb that checks the MQTT and metrics settings too; it stops at the check.
        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "run");

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        string[] expected =
        [
            "Edge:Mqtt:KEEPALIVE: unknown key",
            "Edge:Mqtt:Url: ",
            "Edge:Metrics:HOSTT: unknown key",
            "Edge:Metrics:Port: must be 0 (off) or a TCP port 1..65535.",
            "Edge:Device:Seed: 'twelve' is not a whole number",
            "Edge:Device:DeviceId",
        ];
        foreach (var problem in expected)
        {
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_check_knows_every_options_section_of_the_agent()
    {
        // The agent's own sections and the one it shares with the trainer (Edge:Metrics, in Edge.Hosting).
        var declared = typeof(AgentHost).Assembly.GetTypes().Append(typeof(Edge.Hosting.Observability.MetricsOptions))
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Where(f => f.Name.EndsWith("SectionName", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(name => name.StartsWith("Edge:", StringComparison.Ordinal) && name.Count(c => c == ':') == 1)
            .Order(StringComparer.Ordinal);

        Assert.Equal(declared, AgentHost.Sections.Select(s => s.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unconvertible_seed_from_the_environment_names_the_key()
    {
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__SEED"] = "twelve" };

        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "info", "--system", "duffing",
            "--device-id", "p1");

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains("Edge:Device:Seed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Misspelt_device_key_is_reported_instead_of_ignored()
    {
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__SYTEM"] = "duffing" };

        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "info", "--system", "duffing",
            "--device-id", "p1");

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains("SYTEM", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sources_apply_in_order_file_then_environment_then_command_line()
    {
        using var directory = new TempDirectory();
        var settings = directory.File("appsettings.json");
        File.WriteAllText(settings,
            """{ "Edge": { "Device": { "System": "duffing", "DeviceId": "from-file", "Seed": 5 } } }""");
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__DEVICEID"] = "from-env",
            ["EDGE_DEVICE__SEED"] = "6", ["OTHER_SEED"] = "x" };
        var builder = AgentHost.CreateBuilder(new AgentSettingsSources(settings, environment),
            [new("Edge:Device:Seed", "7")]);
        using var host = builder.Build();

        AgentHost.ValidateConfiguration(host);
        var device = host.Services.GetRequiredService<IPhysicalDevice>();

        Assert.Equal("duffing", device.Spec.Name);
        Assert.Equal("from-env", device.DeviceId);
        Assert.Equal(
            7UL, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DeviceOptions>>().Value.Seed);
    }
}
