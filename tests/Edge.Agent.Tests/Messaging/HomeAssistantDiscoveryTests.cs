using System.Text.Json;
using Edge.Agent.Messaging;

namespace Edge.Agent.Tests.Messaging;

/// <summary>Home Assistant discovery configs follow the current schema and never collide between devices.</summary>
public sealed class HomeAssistantDiscoveryTests
{
    [Fact]
    public void Device_ids_differing_only_in_punctuation_get_distinct_topics_and_unique_ids()
    {
        string[] devices = ["rx-01", "rx_01", "rx.01", "rx_u01", "rx_d01"];
        var messages = devices
            .SelectMany(d => HomeAssistantDiscovery.Messages("homeassistant", d, "electronic")).ToList();

        Assert.Equal(messages.Count, messages.Select(m => m.Topic).Distinct().Count());
        var uniqueIds = messages.Select(m => Config(m).GetProperty("unique_id").GetString()).Distinct();
        Assert.Equal(messages.Count, uniqueIds.Count());
        Assert.All(messages, m => Assert.Matches("^homeassistant/sensor/[A-Za-z0-9_-]+/[a-z_]+/config$", m.Topic));
    }

    [Fact]
    public void Configs_use_default_entity_id_state_classes_origin_and_software_version()
    {
        var messages = HomeAssistantDiscovery.Messages("homeassistant", "Rx.01", "electronic");
        var byObject = messages.ToDictionary(m => m.Topic.Split('/')[3], Config);

        Assert.Equal(["classification", "confidence", "health", "latency", "model"], byObject.Keys.Order());
        foreach (var (objectId, config) in byObject)
        {
            Assert.False(config.TryGetProperty("object_id", out _), $"{objectId}: object_id is deprecated");
            Assert.Equal($"sensor.edge_rx_d01_{objectId}", config.GetProperty("default_entity_id").GetString());
            Assert.Equal("edge-agent", config.GetProperty("origin").GetProperty("name").GetString());
            Assert.False(string.IsNullOrEmpty(config.GetProperty("origin").GetProperty("sw_version").GetString()));
            Assert.False(string.IsNullOrEmpty(config.GetProperty("device").GetProperty("sw_version").GetString()));
            var numeric = objectId is "confidence" or "latency";
            Assert.Equal(numeric, config.TryGetProperty("state_class", out var stateClass));
            Assert.True(!numeric || stateClass.GetString() == "measurement");
        }

        Assert.Equal("edge/v1/Rx.01/status", byObject["model"].GetProperty("state_topic").GetString());
        var template = byObject["model"].GetProperty("value_template").GetString();
        Assert.Contains("modelVersion", template, StringComparison.Ordinal);
    }

    private static JsonElement Config(OutboxMessage message)
        => JsonDocument.Parse(message.Payload).RootElement.Clone();
}
