using System.Net;
using System.Net.Sockets;
using Edge.Domain.Messaging;

namespace Edge.Integration.Tests;

/// <summary>Metrics, health and Home Assistant discovery of a running agent.</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task The_agent_serves_prometheus_metrics_and_health()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var port = FreePort();
        await using var agent = await AgentInstance.StartAsync(broker.Port, "metrics-agent",
            folder.Path("outbox.db"), new Dictionary<string, string?> { ["Edge:Metrics:Port"] =
                port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await using var client = await TopicRecorder.ConnectAsync(broker.Port);
        await client.PublishAsync(EdgeTopics.For("metrics-agent", TopicKind.PatRequest), [1, 2, 3],
            "edge/v1/_requesters/x/pat/response");
        await Eventually.TrueAsync(() => agent.Metrics.Rejected.WithLabels(nameof(TopicKind.PatRequest)).Value == 1,
            "the bad request counted");

        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/") };
        var text = await RetryGetAsync(http, "metrics");
        Assert.Contains("edge_agent_rejected_messages_total{kind=\"PatRequest\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("edge_agent_mqtt_connected 1", text, StringComparison.Ordinal);
        Assert.Contains("edge_agent_outbox_messages", text, StringComparison.Ordinal);
        Assert.Contains("edge_agent_device_seconds", text, StringComparison.Ordinal);
        Assert.Contains("process_working_set_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("edge_agent_build_info{", text, StringComparison.Ordinal);
        await Promtool.AssertCleanAsync(text);
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        await broker.StopAsync();
        await Eventually.TrueAsync(() => !agent.Mqtt.IsConnected, "the agent noticed the broker is gone");
        using var unhealthy = await http.GetAsync(new Uri("healthz", UriKind.Relative),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        using var report = System.Text.Json.JsonDocument.Parse(
            await unhealthy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("unhealthy", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("edge-agent", report.RootElement.GetProperty("service").GetString());
        var link = report.RootElement.GetProperty("checks").GetProperty("broker");
        Assert.Equal("unhealthy", link.GetProperty("status").GetString());
        Assert.Contains("MQTT broker", link.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_assistant_discovery_announces_retained_sensors_available_through_the_status_topic()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var agent = await AgentInstance.StartAsync(broker.Port, "ha-agent",
            folder.Path("outbox.db"), new Dictionary<string, string?> { ["Edge:Mqtt:HomeAssistantDiscovery"] =
                "true" });
        await Eventually.TrueAsync(() => agent.Outbox.Count == 0, "discovery published");

        // Subscribing afterwards proves the configs and the status are retained.
        await using var homeAssistant = await TopicRecorder.ConnectAsync(broker.Port, "homeassistant/#",
            EdgeTopics.For("ha-agent", TopicKind.Status));
        await Eventually.TrueAsync(
            () => homeAssistant.Received.Count >= 6,
            "5 retained configs and the retained status");
        var configs = homeAssistant.Received
            .Where(m => m.Topic.StartsWith("homeassistant/sensor/edge_ha-agent/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["classification", "confidence", "health", "latency", "model"],
            configs.Select(m => m.Topic.Split('/')[3]).Order());
        foreach (var config in configs)
        {
            Assert.True(config.Retain, $"{config.Topic} arrived without the retain flag");
            using var json = System.Text.Json.JsonDocument.Parse(TopicRecorder.Payload(config));
            Assert.Equal("edge/v1/ha-agent/status", json.RootElement.GetProperty("availability_topic").GetString());
            Assert.Equal("online", json.RootElement.GetProperty("payload_available").GetString());
        }

        var status = ControlJson.Parse(TopicRecorder.Payload(homeAssistant.On("edge/v1/ha-agent/status").Last()),
            MessagingJsonContext.Default.StatusMessage);
        Assert.Equal(StatusMessage.Online, status.State);

        // The state the sensors read: an inference published by the agent, counted with its latency.
        await using var sensors = await TopicRecorder.ConnectAsync(broker.Port,
            EdgeTopics.For("ha-agent", TopicKind.Inference));
        agent.Mqtt.PublishInference(3, "uw", 0.875, TimeSpan.FromMilliseconds(4.5), 7);
        await Eventually.TrueAsync(() => sensors.Received.Count == 1, "the inference published");
        var inference = ControlJson.Parse(TopicRecorder.Payload(sensors.Received.Single()),
            MessagingJsonContext.Default.InferenceMessage);
        Assert.Equal((3, "uw", 0.875, 4.5, (int?)7),
            (inference.ClassIndex, inference.Label, inference.Confidence, inference.LatencyMs, inference.ModelVersion));
        Assert.Equal(1, agent.Metrics.Inferences.Value);
        Assert.Throws<ArgumentOutOfRangeException>(()
            => agent.Mqtt.PublishInference(0, null, 1.5, TimeSpan.Zero, null));
    }

    private static async Task<string> RetryGetAsync(HttpClient http, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await http.GetStringAsync(new Uri(path, UriKind.Relative),
                    TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
