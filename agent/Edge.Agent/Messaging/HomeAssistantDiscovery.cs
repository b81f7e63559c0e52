using System.Text.Json;
using Edge.Domain.Messaging;

namespace Edge.Agent.Messaging;

/// <summary>
/// Home Assistant MQTT discovery: retained sensor configs under <c>{prefix}/sensor/edge_{deviceId}/{object}/config</c>
/// for the classification, its confidence, the inference latency and the agent's health, each with the agent's
/// <c>status</c> topic as availability topic.
/// </summary>
public static class HomeAssistantDiscovery
{
    /// <summary>The discovery messages to publish (retained) for <paramref name="deviceId"/>.</summary>
    public static IReadOnlyList<OutboxMessage> Messages(string prefix, string deviceId, string model)
    {
        var status = EdgeTopics.For(deviceId, TopicKind.Status);
        var inference = EdgeTopics.For(deviceId, TopicKind.Inference);
        var node = "edge_" + deviceId.Replace('.', '_').Replace('-', '_');
        return
        [
            Config(prefix, node, deviceId, model, "classification", "Classification", inference, status, "{{ value_json.label if value_json.label else value_json.classIndex }}", unit: null, deviceClass: null),
            Config(prefix, node, deviceId, model, "confidence", "Confidence", inference, status, "{{ (value_json.confidence * 100) | round(1) }}", unit: "%", deviceClass: null),
            Config(prefix, node, deviceId, model, "latency", "Inference latency", inference, status, "{{ value_json.latencyMs | round(2) }}", unit: "ms", deviceClass: "duration"),
            Config(prefix, node, deviceId, model, "health", "Health", status, status, "{{ value_json.state }}", unit: null, deviceClass: null),
        ];
    }

    private static OutboxMessage Config(string prefix, string node, string deviceId, string model, string objectId, string name, string stateTopic, string statusTopic, string template, string? unit, string? deviceClass)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("unique_id", $"{node}_{objectId}");
            json.WriteString("object_id", $"{node}_{objectId}");
            json.WriteString("state_topic", stateTopic);
            json.WriteString("value_template", template);
            if (unit is not null)
            {
                json.WriteString("unit_of_measurement", unit);
            }

            if (deviceClass is not null)
            {
                json.WriteString("device_class", deviceClass);
            }

            json.WriteString("availability_topic", statusTopic);
            json.WriteString("availability_template", "{{ value_json.state }}");
            json.WriteString("payload_available", StatusMessage.Online);
            json.WriteString("payload_not_available", StatusMessage.Offline);
            json.WriteStartObject("device");
            json.WriteStartArray("identifiers");
            json.WriteStringValue(node);
            json.WriteEndArray();
            json.WriteString("name", $"Edge PNN {deviceId}");
            json.WriteString("manufacturer", "Edge");
            json.WriteString("model", model);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return new OutboxMessage(Guid.CreateVersion7(), $"{prefix}/sensor/{node}/{objectId}/config", buffer.ToArray(), IsMeasurement: false, Retain: true, ContentType: "application/json");
    }
}
