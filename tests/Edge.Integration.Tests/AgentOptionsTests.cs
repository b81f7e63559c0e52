using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Messaging;

namespace Edge.Integration.Tests;

/// <summary>Wrong MQTT configuration is refused at start with every problem named by its key.</summary>
public sealed class AgentOptionsTests
{
    [Fact]
    public void Every_bad_mqtt_setting_is_reported_with_its_key()
    {
        var builder =
            AgentHost.CreateBuilder(new AgentSettingsSources(null, new Dictionary<string, string?>()), new
                Dictionary<string, string?>
        {
            ["Edge:Device:DeviceId"] = "opts",
            ["Edge:Mqtt:Enabled"] = "true",
            ["Edge:Mqtt:Url"] = "mqtts://bad host name:70000",
            ["Edge:Mqtt:MeasurementSampleFraction"] = "1.5",
            ["Edge:Mqtt:OutboxMaxMessages"] = "5",
        });
        builder.AddEdgeMqtt();
        using var host = builder.Build();
        var error = Assert.Throws<AgentConfigurationException>(() => AgentHost.ValidateConfiguration(host));
        foreach (var key in new[] { "Edge:Mqtt:Url", "Edge:Mqtt:MeasurementSampleFraction",
            "Edge:Mqtt:OutboxMaxMessages" })
        {
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unknown_mqtt_key_is_refused()
    {
        var builder =
            AgentHost.CreateBuilder(new AgentSettingsSources(null, new Dictionary<string, string?>()), new
                Dictionary<string, string?>
        {
            ["Edge:Device:DeviceId"] = "opts",
            ["Edge:Mqtt:Enabled"] = "true",
            ["Edge:Mqtt:Hots"] = "typo",
        });
        builder.AddEdgeMqtt();
        using var host = builder.Build();
        var error = Assert.Throws<AgentConfigurationException>(() => AgentHost.ValidateConfiguration(host));
        Assert.Contains("Hots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_mqtt_disabled_other_settings_are_not_checked()
    {
        var options = new MqttOptions { Enabled = false, Url = "nonsense" };
        Assert.True(new MqttOptionsValidator().Validate(null, options).Succeeded);
    }
}
