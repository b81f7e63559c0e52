using System.Buffers;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;

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

    private readonly TrainerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TopicWatch _watch;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (string DeviceId, int Version)> _pending = [];
    private readonly Queue<Guid> _order = new();

    /// <summary>Creates the watch; <see cref="Start"/> connects.</summary>
    public ModelVersionWatch(BrokerOptions broker, TrainerMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.EnsureValid();
        (_metrics, _logger) = (metrics, logger);
        _watch = new TopicWatch(
            "Model watch",
            broker with { ClientId = broker.ClientId + "-models" },
            [EdgeTopics.AllDevices(TopicKind.ModelOffer), EdgeTopics.AllDevices(TopicKind.ModelAck)],
            Observe,
            logger);
    }

    /// <summary>
    /// True while connected and subscribed to every device's <c>model/offer</c> and <c>model/ack</c>.
    /// </summary>
    public bool IsConnected => _watch.IsConnected;

    /// <summary>Starts connecting (and reconnecting after a broker outage) in the background.</summary>
    public void Start() => _watch.Start();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _watch.DisposeAsync();

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model watch ignored a message on {Topic}: {Problem}")]
    private static partial void LogIgnored(ILogger logger, string topic, string problem);
}
