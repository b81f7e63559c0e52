using System.Buffers;
using System.Text.Json.Nodes;
using Edge.Domain.Messaging;
using Edge.Trainer.Live;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>
/// The trainer believes an ack or a status only when the deviceId inside names the device of the topic — the one
/// the broker ACL binds to the publisher's identity. On an open lab broker anyone can still write any topic, so
/// these run on MQTTnet's in-process broker with a client that copies and forges genuine messages.
/// </summary>
public sealed class TrainerIdentityTests
{
    [Fact]
    public async Task An_ack_naming_another_device_is_not_taken_as_the_agents_verdict()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var forger = await ConnectAsync(broker.Port);
        // The forger answers every offer to 'victim' at once with an accepting ack that names another device.
        forger.ApplicationMessageReceivedAsync += async e =>
        {
            var offer = ModelOffer.Decode(e.ApplicationMessage.Payload.ToArray());
            var ack = new ModelAckMessage
            {
                DeviceId = "someone-else",
                OfferId = offer.OfferId,
                Accepted = true,
                Reason = "forged",
                Timestamp = DateTimeOffset.UtcNow,
            };
            await forger.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(EdgeTopics.For("victim", TopicKind.ModelAck))
                .WithPayload(ControlJson.Serialize(ack, MessagingJsonContext.Default.ModelAckMessage))
                .Build());
        };
        var cancel = TestContext.Current.CancellationToken;
        await forger.SubscribeAsync(
            EdgeTopics.For("victim", TopicKind.ModelOffer), MqttQualityOfServiceLevel.AtLeastOnce, cancel);
        var options = PatLoopTests.Remote(broker.Port, "victim").Broker;

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => ModelPublisher.OfferAsync(options, "victim", "pkg"u8.ToArray(), TimeSpan.FromSeconds(2), cancel));

        Assert.Contains("1 acks naming another device were ignored", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_naming_another_device_does_not_make_the_device_usable_and_is_counted()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var genuine = await AgentInstance.StartAsync(broker.Port, "genuine", folder.Path("outbox.db"));
        using var forger = await ConnectAsync(broker.Port);
        var copied = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        forger.ApplicationMessageReceivedAsync += e =>
        {
            var status = JsonNode.Parse(e.ApplicationMessage.Payload.ToArray())!;
            if ((string?)status["state"] == StatusMessage.Online)
            {
                copied.TrySetResult(e.ApplicationMessage.Payload.ToArray());
            }

            return Task.CompletedTask;
        };
        var cancel = TestContext.Current.CancellationToken;
        await forger.SubscribeAsync(
            EdgeTopics.For("genuine", TopicKind.Status), MqttQualityOfServiceLevel.AtLeastOnce, cancel);
        // The genuine agent's online status (with its spec), replayed as the retained status of 'victim'.
        var payload = await copied.Task.WaitAsync(TimeSpan.FromSeconds(10), cancel);
        var replay = new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.For("victim", TopicKind.Status))
            .WithPayload(payload)
            .WithRetainFlag()
            .Build();
        await forger.PublishAsync(replay, cancel);
        var metrics = new TrainerMetrics();

        var options = PatLoopTests.Remote(broker.Port, "victim") with { StatusTimeout = TimeSpan.FromSeconds(1) };
        await Assert.ThrowsAsync<RemoteDeviceException>(() => RemoteDevice.ConnectAsync(options, metrics, cancel));

        Assert.Equal(1, metrics.IdentityMismatches.WithLabels("status").Value);
        await using var real = await RemoteDevice.ConnectAsync(
            PatLoopTests.Remote(broker.Port, "genuine"), metrics, cancel);
        Assert.Equal("genuine", real.DeviceId);
    }

    [Fact]
    public async Task The_model_watch_counts_an_ack_naming_another_device_and_ignores_it()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        var metrics = new TrainerMetrics();
        var options = PatLoopTests.Remote(broker.Port, "victim").Broker;
        await using var watch = new ModelVersionWatch(options, metrics, NullLogger.Instance);
        watch.Start();
        await Eventually.TrueAsync(() => watch.IsConnected, "model watch subscribed");
        using var forger = await ConnectAsync(broker.Port);

        foreach (var named in new[] { "someone-else", "victim" })
        {
            var ack = new ModelAckMessage
            {
                DeviceId = named,
                OfferId = Guid.NewGuid(),
                Accepted = true,
                Reason = "forged",
                Timestamp = DateTimeOffset.UtcNow,
            };
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(EdgeTopics.For("victim", TopicKind.ModelAck))
                .WithPayload(ControlJson.Serialize(ack, MessagingJsonContext.Default.ModelAckMessage))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await forger.PublishAsync(message, TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(
            () => metrics.IdentityMismatches.WithLabels("model/ack").Value >= 1, "the foreign ack counted");
        Assert.Equal(1, metrics.IdentityMismatches.WithLabels("model/ack").Value);
    }

    private static async Task<IMqttClient> ConnectAsync(int port)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("forger-" + Guid.NewGuid().ToString("N"))
            .Build();
        await client.ConnectAsync(options, TestContext.Current.CancellationToken);
        return client;
    }
}
