using System.Buffers;
using System.Collections.Concurrent;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live.Commissioning;

/// <summary>
/// The agents the broker knows, from their retained <c>status</c> messages: subscribed to every device's status, it
/// keeps the newest one of each (at most <see cref="MaxAgents"/>), so the trainer learns of an agent the moment it
/// first appears, and of its part (the device id), system and running version. Reconnects on its own.
/// </summary>
public sealed partial class AgentDirectory : IAsyncDisposable
{
    /// <summary>Most agents remembered; the statuses of more are not kept (memory stays bounded).</summary>
    public const int MaxAgents = 10_000;

    private readonly BrokerOptions _broker;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly ConcurrentDictionary<string, StatusMessage> _agents = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates the directory on <paramref name="broker"/> (not connected until <see cref="Start"/>).</summary>
    public AgentDirectory(BrokerOptions broker, ILogger logger)
    {
        _broker = broker ?? throw new ArgumentNullException(nameof(broker));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Observe(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
    }

    /// <summary>True while connected and subscribed.</summary>
    public bool IsConnected => _client.IsConnected && _subscribed;

    private volatile bool _subscribed;

    /// <summary>The newest status of each agent seen, by device id.</summary>
    public IReadOnlyDictionary<string, StatusMessage> Agents => _agents;

    /// <summary>Starts connecting (and reconnecting) in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    _subscribed = false;
                    var options = _broker.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0);
                    await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                    await _client.SubscribeAsync(
                        new MqttClientSubscribeOptionsBuilder()
                            .WithTopicFilter(
                                EdgeTopics.AllDevices(TopicKind.Status), MqttQualityOfServiceLevel.AtLeastOnce)
                            .Build(),
                        cancellationToken).ConfigureAwait(false);
                    _subscribed = true;
                    backoff = TimeSpan.FromMilliseconds(100);
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogConnectFailed(_broker.Host, _broker.Port, e.Message);
            }

            try
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromMilliseconds(Math.Min(10_000, backoff.TotalMilliseconds * 2));
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        try
        {
            if (EdgeTopics.Parse(topic, out var deviceId) != TopicKind.Status || payload.IsEmpty)
            {
                return;
            }

            var status = ControlJson.Parse(payload.ToArray(), MessagingJsonContext.Default.StatusMessage);
            // A status naming another device than its topic is not believed (identities are per certificate).
            if (status.DeviceId != deviceId)
            {
                LogMismatch(topic, status.DeviceId);
                return;
            }

            if (_agents.Count < MaxAgents || _agents.ContainsKey(deviceId))
            {
                _agents[deviceId] = status;
            }
        }
        catch (Exception e) when (e is MessageFormatException or ArgumentException)
        {
            LogUnreadable(topic, e.Message);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Agent directory: broker {Host}:{Port} not reachable ({Problem}); retrying")]
    private partial void LogConnectFailed(string host, int port, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent directory: status on {Topic} names '{Device}'; ignored")]
    private partial void LogMismatch(string topic, string device);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent directory: unreadable status on {Topic}: {Problem}")]
    private partial void LogUnreadable(string topic, string problem);
}
