using System.Buffers;
using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>A plain MQTT 5 client that publishes test messages and records everything on the topics it subscribes
/// to.</summary>
public sealed class TopicRecorder : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public ConcurrentQueue<MqttApplicationMessage> Received { get; } = new();

    public static async Task<TopicRecorder> ConnectAsync(int port, params string[] filters)
    {
        var recorder = new TopicRecorder();
        recorder._client.ApplicationMessageReceivedAsync += e =>
        {
            recorder.Received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await recorder._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1",
            port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId("test-" + Guid.NewGuid().ToString("N"))
                .Build(), TestContext.Current.CancellationToken);
        foreach (var filter in filters)
        {
            await recorder._client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce,
                TestContext.Current.CancellationToken);
        }

        return recorder;
    }

    public async Task PublishAsync(string topic, byte[] payload, string? responseTopic = null,
        byte[]? correlation = null)
    {
        var builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        if (correlation is not null)
        {
            builder.WithCorrelationData(correlation);
        }

        await _client.PublishAsync(builder.Build(), TestContext.Current.CancellationToken);
    }

    public IEnumerable<MqttApplicationMessage> On(string topic) => Received.Where(m => m.Topic == topic);

    public static byte[] Payload(MqttApplicationMessage message) => message.Payload.ToArray();

    public async ValueTask DisposeAsync()
    {
        // Tests stop brokers under their recorders; a client that has not yet noticed finds the pipe broken here.
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (MqttCommunicationException)
            {
            }
        }

        _client.Dispose();
    }
}
