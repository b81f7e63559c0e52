using System.Reflection;
using System.Text.Json;
using Edge.Domain.Messaging;

namespace Edge.Agent.Messaging;

/// <summary>
/// Home Assistant MQTT discovery: retained sensor configs under <c>{prefix}/sensor/edge_{deviceId}/{object}/config</c>
/// for the classification, its confidence, the inference latency, the agent's health and its active model version,
/// each with the agent's <c>status</c> topic as availability topic. Device ids may hold <c>.</c> and <c>_</c>, which
/// discovery topics do not allow; they are escaped (<c>_u</c>, <c>_d</c>) so that <c>rx-01</c>, <c>rx_01</c> and
/// <c>rx.01</c> keep distinct topics and unique ids instead of overwriting each other's retained configs.
/// </summary>
public static class HomeAssistantDiscovery
{
    /// <summary>The discovery messages to publish (retained) for <paramref name="deviceId"/>.</summary>
    public static IReadOnlyList<OutboxMessage> Messages(string prefix, string deviceId, string model)
    {
        var status = EdgeTopics.For(deviceId, TopicKind.Status);
        var inference = EdgeTopics.For(deviceId, TopicKind.Inference);
        var node = NodeId(deviceId);
        return
        [
            Config(prefix, node, deviceId, model, "classification", "Classification", inference, status,
                "{{ value_json.label if value_json.label else value_json.classIndex }}", unit: null, deviceClass: null),
            Config(
                prefix,
                node,
                deviceId,
                model,
                "confidence",
                "Confidence",
                inference,
                status,
                "{{ (value_json.confidence * 100) | round(1) }}",
                unit: "%",
                deviceClass: null,
                numeric: true),
            Config(
                prefix,
                node,
                deviceId,
                model,
                "latency",
                "Inference latency",
                inference,
                status,
                "{{ value_json.latencyMs | round(2) }}",
                unit: "ms",
                deviceClass: "duration",
                numeric: true),
            Config(prefix, node, deviceId, model, "health", "Health", status, status, "{{ value_json.state }}",
                unit: null, deviceClass: null),
            Config(
                prefix,
                node,
                deviceId,
                model,
                "model",
                "Model version",
                status,
                status,
                "{{ value_json.modelVersion | default('none') }}",
                unit: null,
                deviceClass: null),
        ];
    }

    /// <summary>
    /// The discovery node id of <paramref name="deviceId"/>: <c>edge_</c> and the id with <c>_</c> written as
    /// <c>_u</c> and <c>.</c> as <c>_d</c> (letters, digits and <c>-</c> stay), so distinct ids never collide.
    /// </summary>
    public static string NodeId(string deviceId)
    {
        EdgeTopics.ValidateDeviceId(deviceId);
        return "edge_" + deviceId
            .Replace("_", "_u", StringComparison.Ordinal)
            .Replace(".", "_d", StringComparison.Ordinal);
    }

    private static string SoftwareVersion { get; } =
        typeof(HomeAssistantDiscovery).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion ?? "unknown";

    private static OutboxMessage Config(
        string prefix,
        string node,
        string deviceId,
        string model,
        string objectId,
        string name,
        string stateTopic,
        string statusTopic,
        string template,
        string? unit,
        string? deviceClass,
        bool numeric = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("unique_id", $"{node}_{objectId}");
            // default_entity_id replaced object_id (deprecated in Home Assistant 2025.10); entity ids are lower-case.
            json.WriteString(
                "default_entity_id",
                $"sensor.{node.ToLowerInvariant().Replace('-', '_')}_{objectId}");
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

            if (numeric)
            {
                // Lets Home Assistant keep long-term statistics of the value.
                json.WriteString("state_class", "measurement");
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
            json.WriteString("sw_version", SoftwareVersion);
            json.WriteEndObject();
            json.WriteStartObject("origin");
            json.WriteString("name", "edge-agent");
            json.WriteString("sw_version", SoftwareVersion);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return new OutboxMessage(Guid.CreateVersion7(), $"{prefix}/sensor/{node}/{objectId}/config", buffer.ToArray(),
            IsMeasurement: false, Retain: true, ContentType: "application/json");
    }
}
