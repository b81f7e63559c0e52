using System.Collections.Concurrent;
using Edge.Domain.Messaging;
using Edge.Domain.Specs;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>
/// A plain MQTT 5 client in an agent's place, for what a real agent would not do on cue: it announces a status
/// (retained, as the agent does), records the PAT requests that reach it and answers none, and can leave while its
/// persistent session keeps its subscription.
/// </summary>
public sealed class StandInAgent : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;

    private StandInAgent(int port, string deviceId, bool persistentSession)
    {
        DeviceId = deviceId;
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(deviceId)
            .WithCleanStart(!persistentSession)
            .WithSessionExpiryInterval(persistentSession ? 600u : 0u)
            .Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Requests.Enqueue(e.ApplicationMessage);
            if (OnRequest is { } react)
            {
                // Not awaited here: publishing from inside the receive handler would wait on the loop it blocks.
                _ = Task.Run(react);
            }

            return Task.CompletedTask;
        };
    }

    public string DeviceId { get; }

    /// <summary>Every PAT request received, in order.</summary>
    public ConcurrentQueue<MqttApplicationMessage> Requests { get; } = new();

    /// <summary>Runs (in the background) after each request is recorded.</summary>
    public Func<Task>? OnRequest { get; set; }

    public static async Task<StandInAgent> ConnectAsync(int port, string deviceId, bool persistentSession = false)
    {
        var agent = new StandInAgent(port, deviceId, persistentSession);
        await agent.ReconnectAsync();
        return agent;
    }

    /// <summary>Connects (again) and subscribes to its PAT requests; a persistent session gets what was queued.
    /// </summary>
    public async Task ReconnectAsync()
    {
        await _client.ConnectAsync(_options, TestContext.Current.CancellationToken);
        var requests = EdgeTopics.For(DeviceId, TopicKind.PatRequest);
        var token = TestContext.Current.CancellationToken;
        await _client.SubscribeAsync(requests, MqttQualityOfServiceLevel.AtLeastOnce, token);
    }

    /// <summary>
    /// Publishes its retained status: <paramref name="state"/>, with spec, model version and live accuracy (the
    /// agent's calibration probes) when online.
    /// </summary>
    public async Task AnnounceAsync(string state, LayerSpec spec, int? modelVersion = 1, double? liveAccuracy = null)
    {
        var online = state == StatusMessage.Online;
        var status = new StatusMessage
        {
            DeviceId = DeviceId,
            State = state,
            Timestamp = DateTimeOffset.UtcNow,
            System = online ? AgentInstance.System : null,
            Spec = online ? spec : null,
            ModelVersion = online ? modelVersion : null,
            LiveAccuracy = online ? liveAccuracy : null,
        };
        await _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(EdgeTopics.For(DeviceId, TopicKind.Status))
                .WithPayload(ControlJson.Serialize(status, MessagingJsonContext.Default.StatusMessage))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag()
                .Build(),
            TestContext.Current.CancellationToken);
    }

    /// <summary>Leaves without a last will: the retained status still says what it said.</summary>
    public Task DisconnectAsync() => _client.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
