using Edge.Hosting.Observability;
using Edge.Trainer.Cli;
using Edge.Trainer.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edge.Trainer.Tests.Service;

/// <summary>
/// <c>serve</c>'s configuration: the settings file, then <c>EDGE_</c> variables, then the command line; every problem
/// named with its key, all at once.
/// </summary>
public sealed class TrainerConfigurationTests
{
    [Fact]
    public void A_misspelt_section_a_misspelt_key_and_unconvertible_values_are_all_named_by_their_key()
    {
        var problems = Problems(new()
        {
            ["EDGE_MQQT__URL"] = "mqtt://x",
            ["EDGE_MQTT__URLL"] = "mqtt://y",
            ["EDGE_METRICS__PORT"] = "eighty",
            ["EDGE_FIELDUPDATES__COOLDOWN"] = "soon",
            ["EDGE_DATA_DIR"] = "/data",
        });

        Assert.Contains(problems, p => p.StartsWith("Edge:MQQT: unknown section", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Edge:Mqtt:URLL: unknown key", StringComparison.Ordinal));
        Assert.Contains("Edge:Metrics:Port: 'eighty' is not a whole number (no decimal point).", problems);
        Assert.Contains(
            problems,
                p => p.StartsWith("Edge:FieldUpdates:Cooldown: 'soon' is not a duration", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
    }

    [Fact]
    public void Bad_values_are_named_by_their_key()
    {
        var problems = Problems(new()
        {
            ["EDGE_MQTT__URL"] = "http://broker",
            ["EDGE_MQTT__PASSWORDFILE"] = "/nowhere/password",
            ["EDGE_METRICS__PORT"] = "70000",
            ["EDGE_FIELDUPDATES__WATCH__0"] = "rx-01",
            ["EDGE_FIELDUPDATES__DRIFTMINSAMPLES"] = "400",
        });

        Assert.Contains(problems, p => p.StartsWith("Edge:Mqtt:Url: ", StringComparison.Ordinal));
        Assert.Contains("Edge:Mqtt:PasswordFile: needs Edge:Mqtt:Username.", problems);
        Assert.Contains(problems, p => p.StartsWith("Edge:Metrics:Port: must be 0 (off)", StringComparison.Ordinal));
        Assert.Contains("Edge:FieldUpdates:Watch:0: 'rx-01': expected DEVICE=PACKAGE.", problems);
        Assert.Contains(problems, p => p.StartsWith("Edge:FieldUpdates:SigningKey: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Edge:FieldUpdates:Calibration: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Edge:FieldUpdates:DriftMinSamples: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Range_errors_are_listed_in_the_same_run_as_unknown_keys_and_bad_values_of_their_section()
    {
        var problems = Problems(new()
        {
            ["EDGE_MQTT__URLL"] = "mqtt://y",
            ["EDGE_MQTT__URL"] = "http://broker",
            ["EDGE_METRICS__PORT"] = "70000",
            ["EDGE_METRICS__HOSTT"] = "+",
            ["EDGE_FIELDUPDATES__COOLDOWN"] = "soon",
            ["EDGE_FIELDUPDATES__WATCH__0"] = "rx-01",
        });

        Assert.Contains(problems, p => p.StartsWith("Edge:Mqtt:URLL: unknown key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Edge:Mqtt:Url: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Edge:Metrics:HOSTT: unknown key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Edge:Metrics:Port: must be 0 (off)", StringComparison.Ordinal));
        Assert.Contains(
            problems,
                p => p.StartsWith("Edge:FieldUpdates:Cooldown: 'soon' is not a duration", StringComparison.Ordinal));
        Assert.Contains("Edge:FieldUpdates:Watch:0: 'rx-01': expected DEVICE=PACKAGE.", problems);
        Assert.Equal(problems.Count, problems.Distinct().Count());
    }

    [Fact]
    public void The_defaults_are_a_valid_configuration()
    {
        Assert.Empty(Problems([]));
    }

    [Fact]
    public void The_command_line_wins_over_the_environment_which_wins_over_the_settings_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                {"Edge": {"Mqtt": {"Url": "mqtt://from-file:1", "AllowPlaintext": true},
                          "Store": {"Connection": "file.db"}, "Metrics": {"Port": 1}}}
                """);
            var environment = new Dictionary<string, string?>
            {
                ["EDGE_MQTT__URL"] = "mqtt://from-env:2",
                ["EDGE_METRICS__PORT"] = "2",
                ["EDGE_FIELDUPDATES__CHECKEVERY"] = "00:01:00",
            };
            var commandLine = ServeCommand.CommandLineKeys(
                "--metrics-port", "3", "--metrics-host", "+", "--check-every", "00:02:00", "--client-id", "cli");

            using var host = TrainerHost.CreateBuilder(file, environment, commandLine).Build();

            Assert.Empty(TrainerHost.Problems(host));
            var mqtt = host.Services.GetRequiredService<IOptions<TrainerMqttOptions>>().Value;
            var metrics = host.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
            var updates = host.Services.GetRequiredService<IOptions<FieldUpdateSettings>>().Value;
            Assert.Equal(("mqtt://from-env:2", "cli", true), (mqtt.Url, mqtt.ClientId, mqtt.AllowPlaintext));
            Assert.Equal("file.db", host.Services.GetRequiredService<IOptions<StoreOptions>>().Value.Connection);
            Assert.Equal((3, "+"), (metrics.Port, metrics.Host));
            Assert.Equal(TimeSpan.FromMinutes(2), updates.CheckEvery);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Options_not_given_leave_their_keys_to_the_file_and_environment()
    {
        Assert.Empty(ServeCommand.CommandLineKeys());
        var keys = ServeCommand.CommandLineKeys(
            "--broker", "mqtt://b:1", "--allow-plaintext", "--watch", "a=a.edgepkg", "--watch", "b=b.edgepkg",
            "--ca-file", "ca.pem");

        Assert.Contains(new("Edge:Mqtt:Url", "mqtt://b:1"), keys);
        Assert.Contains(new("Edge:Mqtt:AllowPlaintext", "true"), keys);
        Assert.Contains(new("Edge:FieldUpdates:Watch:0", "a=a.edgepkg"), keys);
        Assert.Contains(new("Edge:FieldUpdates:Watch:1", "b=b.edgepkg"), keys);
        Assert.Contains(new("Edge:Mqtt:CaFile", Path.GetFullPath("ca.pem")), keys);
        Assert.Equal(5, keys.Count);
    }

    private static List<string> Problems(Dictionary<string, string?> environment)
    {
        using var host = TrainerHost.CreateBuilder(null, environment, []).Build();
        return TrainerHost.Problems(host);
    }
}
