using System.Buffers.Binary;
using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>
/// The shipped broker's queue limits, on a real mosquitto: a burst to a subscriber that stops reading for a while
/// (the trainer's ingest behind a slow store) is held for it, not dropped. A default mosquitto, whose queue holds
/// 1 000 messages, lost 22-31 % of such a burst.
/// </summary>
public sealed class BrokerQueueTests
{
    private const int Burst = 10_000;

    /// <summary>The publisher keeps this many PUBACKs outstanding (below the broker's max_inflight_messages).</summary>
    private const int Window = 16;

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_burst_to_a_paused_subscriber_is_delivered_whole_once_it_resumes()
    {
        await using var broker = await ShippedBroker.StartAsync();
        var cancel = TestContext.Current.CancellationToken;
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentDictionary<int, byte>();
        var handledBeforeResume = 0;
        using var trainer = new MqttClientFactory().CreateMqttClient();
        // The handler does not return until resumed, so the subscriber acknowledges nothing and the broker must
        // hold everything past its in-flight window.
        trainer.ApplicationMessageReceivedAsync += async e =>
        {
            if (!resume.Task.IsCompleted)
            {
                Interlocked.Increment(ref handledBeforeResume);
            }

            await resume.Task;
            received.TryAdd(BinaryPrimitives.ReadInt32LittleEndian(e.ApplicationMessage.Payload.FirstSpan), 0);
        };
        var options = broker.Trainer("slow-ingest").ToClientOptions(cleanStart: true, sessionExpirySeconds: 0);
        await trainer.ConnectAsync(options, cancel);
        await trainer.SubscribeAsync("edge/v1/+/measurements", MqttQualityOfServiceLevel.AtLeastOnce, cancel);
        using var device = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceA), "burst");

        var refusedPublishes = 0;
        for (var first = 0; first < Burst; first += Window)
        {
            var sent = Enumerable.Range(first, Math.Min(Window, Burst - first)).Select(i => device.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic("edge/v1/dev-a/measurements")
                    .WithPayload(Payload(i))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancel));
            refusedPublishes += (await Task.WhenAll(sent)).Count(r => !r.IsSuccess);
        }

        var pausedAt = Volatile.Read(ref handledBeforeResume);
        resume.SetResult();
        await Eventually.TrueAsync(
            () => Task.FromResult(received.Count == Burst),
                () => $"all {Burst} messages delivered (have {received.Count})", 120);

        Assert.Equal(0, refusedPublishes);
        Assert.InRange(pausedAt, 1, Window * 4);
        Assert.Equal(Enumerable.Range(0, Burst), received.Keys.Order());
        SecurityReport.Record(
            "broker-burst-slow-subscriber",
            $"Burst: {Burst:N0} QoS 1 messages to a subscriber that stops reading until the burst is over "
                + "(shipped broker configuration)",
            SecurityReport.TestCommand(
                "Edge.Integration.Tests", nameof(A_burst_to_a_paused_subscriber_is_delivered_whole_once_it_resumes)),
            $"all {Burst:N0} delivered once the subscriber resumes (a default mosquitto dropped 22-31 %)",
            $"{received.Count:N0} of {Burst:N0} distinct messages delivered, {refusedPublishes} publishes refused; "
                + $"{pausedAt} had reached the paused handler",
            received.Count == Burst && refusedPublishes == 0);
    }

    private static byte[] Payload(int index)
    {
        // A few hundred bytes, as a small measurement batch; the index first.
        var payload = new byte[256];
        BinaryPrimitives.WriteInt32LittleEndian(payload, index);
        return payload;
    }
}
