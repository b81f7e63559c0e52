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
    [Trait("Category", "Security")]
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

        var ignored = error.Message.Contains("1 acks naming another device were ignored", StringComparison.Ordinal);
        Assert.True(ignored, error.Message);
        SecurityReport.Record(
            "trainer-forged-ack",
            "Forged model/ack: a client answers every offer to 'victim' with an accepting ack (lab broker, no ACL)",
            Repeat(nameof(An_ack_naming_another_device_is_not_taken_as_the_agents_verdict)),
            "edge-trainer publish does not report \"accepted\"; the forged ack is ignored and counted",
            $"publish failed: {error.GetType().Name}: {error.Message}",
            ignored);
    }

    [Fact]
    [Trait("Category", "Security")]
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
        var mismatches = metrics.IdentityMismatches.WithLabels("status").Value;
        SecurityReport.Record(
            "trainer-forged-status",
            "Forged status: replay a genuine agent's retained online status as another device's (lab broker, no ACL)",
            Repeat(nameof(A_status_naming_another_device_does_not_make_the_device_usable_and_is_counted)),
            "the trainer refuses to use 'victim'; the mismatch is counted; the genuine device still works",
            $"connect to victim refused; edge_trainer identity mismatches (status) = {mismatches}; "
                + $"genuine connected as {real.DeviceId}",
            mismatches == 1 && real.DeviceId == "genuine");
    }

    [Fact]
    [Trait("Category", "Security")]
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
        var counted = metrics.IdentityMismatches.WithLabels("model/ack").Value;
        Assert.Equal(1, counted);
        SecurityReport.Record(
            "trainer-watch-forged-ack",
            "Forged ack on the trainer's model watch (serve): an ack naming another device on victim's topic",
            Repeat(nameof(The_model_watch_counts_an_ack_naming_another_device_and_ignores_it)),
            "ignored and counted once",
            $"identity mismatches (model/ack) = {counted}",
            counted == 1);
    }

    private static string Repeat(string test) => SecurityReport.TestCommand("Edge.Integration.Tests", test);

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
