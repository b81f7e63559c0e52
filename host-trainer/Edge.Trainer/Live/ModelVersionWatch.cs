using System.Buffers;
using Edge.Domain.Messaging;
using Edge.Domain.Timing;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live;

/// <summary>
/// Watches every model offer and verdict on the broker — whoever publishes them: the <c>publish</c> command, a
/// scheduled retraining in this process, another trainer — and keeps <see cref="TrainerMetrics.ModelPublishedVersion"/>
/// (the version in the newest offer to each device) and <see cref="TrainerMetrics.ModelAcceptedVersion"/> (the newest
/// version each device accepted) current. Offers that are not packages are ignored; the agents answer those.
/// </summary>
public sealed partial class ModelVersionWatch : IAsyncDisposable
{
    /// <summary>Offers remembered while their verdict is awaited; old ones are forgotten beyond this.</summary>
    private const int MaxPendingOffers = 1024;

    private readonly BrokerOptions _broker;
    private readonly TrainerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (string DeviceId, int Version)> _pending = [];
    private readonly Queue<Guid> _order = new();

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates the watch; <see cref="Start"/> connects.</summary>
    public ModelVersionWatch(BrokerOptions broker, TrainerMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.EnsureValid();
        (_broker, _metrics, _logger) = (broker with { ClientId = broker.ClientId + "-models" }, metrics, logger);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Observe(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// True while connected and subscribed to every device's <c>model/offer</c> and <c>model/ack</c>.
    /// </summary>
    public bool IsConnected => _client.IsConnected && _subscribed;

    private volatile bool _subscribed;

    /// <summary>Starts connecting (and reconnecting after a broker outage) in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        await _client.DisconnectAndDisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), jitter: 0.5);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    _subscribed = false;
                    await _client.ConnectAsync(_broker.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0), cancellationToken).ConfigureAwait(false);
                    await _client.SubscribeAsync(
                        new MqttClientSubscribeOptionsBuilder()
                            .WithTopicFilter(EdgeTopics.AllDevices(TopicKind.ModelOffer), MqttQualityOfServiceLevel.AtLeastOnce)
                            .WithTopicFilter(EdgeTopics.AllDevices(TopicKind.ModelAck), MqttQualityOfServiceLevel.AtLeastOnce)
                            .Build(),
                        cancellationToken).ConfigureAwait(false);
                    _subscribed = true;
                    backoff.Reset();
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A broker outage only pauses the gauges; keep trying.
                LogConnectFailed(_logger, _broker.Host, _broker.Port, e.Message);
            }

            try
            {
                await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        var kind = EdgeTopics.Parse(topic, out var deviceId);
        try
        {
            if (kind == TopicKind.ModelOffer)
            {
                var offer = ModelOffer.Decode(payload.IsSingleSegment ? payload.First : payload.ToArray());
                if (ModelPackageVersion.TryRead(offer.Package) is { } version)
                {
                    _metrics.PublishedVersion(deviceId, version);
                    Remember(offer.OfferId, deviceId, version);
                }
            }
            else if (kind == TopicKind.ModelAck)
            {
                var ack = ControlJson.Parse(payload.ToArray(), MessagingJsonContext.Default.ModelAckMessage);
                if (ack.DeviceId != deviceId)
                {
                    // A forged ack (another identity's payload on this topic) must not move the gauges nor end the
                    // offer.
                    _metrics.IdentityMismatches.WithLabels("model/ack").Inc();
                    return;
                }

                if (Forget(ack.OfferId) is { } offered && ack.Accepted && offered.DeviceId == deviceId)
                {
                    _metrics.ModelAcceptedVersion.WithLabels(deviceId).Set(offered.Version);
                }
            }
        }
        catch (MessageFormatException e)
        {
            // Not ours to answer (the agent does); it only cannot move the gauges.
            LogIgnored(_logger, topic, e.Message);
        }
    }

    private void Remember(Guid offerId, string deviceId, int version)
    {
        lock (_gate)
        {
            if (_pending.TryAdd(offerId, (deviceId, version)))
            {
                _order.Enqueue(offerId);
            }

            while (_order.Count > MaxPendingOffers)
            {
                _pending.Remove(_order.Dequeue());
            }
        }
    }

    private (string DeviceId, int Version)? Forget(Guid offerId)
    {
        lock (_gate)
        {
            return _pending.Remove(offerId, out var offered) ? offered : null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model watch cannot reach {Host}:{Port}: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model watch ignored a message on {Topic}: {Problem}")]
    private static partial void LogIgnored(ILogger logger, string topic, string problem);
}
