using System.Buffers;
using System.Collections.Concurrent;
using Edge.Domain.Messaging;
using Edge.Mqtt;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Agent.Messaging;

/// <summary>End-to-end delivery of measurements, and the alerts the agent raises about itself.</summary>
public sealed partial class MqttAgentService
{
    /// <summary>Most alerts waiting for the link; a problem repeating faster than they drain loses the oldest.
    /// </summary>
    private const int MaxWaitingAlerts = 100;

    private readonly ConcurrentQueue<ErrorMessage> _alerts = new();
    private volatile string[] _subscriptionProblems = [];
    private bool _unroutedReported;
    private volatile bool _ackSilenceReported;

    /// <summary>
    /// Sends of one batch without an acknowledgement after which the silence is alerted: a broker that grants the ack
    /// subscription but never delivers (an ACL without the device's read line) looks exactly like this.
    /// </summary>
    private const int AckSilenceAttempts = 3;

    /// <summary>
    /// What is wrong with the agent's link right now, in words: the outbox cannot write (disk full) or a subscription
    /// was refused. Empty while all is well; <c>/healthz</c> reports these as degraded.
    /// </summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>(_subscriptionProblems);
            if (_outbox.Problem is { } outbox)
            {
                problems.Insert(0, "outbox: " + outbox);
            }

            return problems;
        }
    }

    /// <summary>
    /// Settles a published window: control messages leave the outbox on their PUBACK, measurement batches wait for
    /// the trainer's acknowledgement (a PUBACK saying nobody subscribed is no delivery at all), what the broker
    /// refused for good is logged. Runs to the end of what was acknowledged even when the link breaks mid-window.
    /// </summary>
    private async Task SettleAsync(IReadOnlyList<OutboxMessage> pending, List<Task<MqttClientPublishResult>> publishes)
    {
        var delivered = new List<OutboxMessage>(pending.Count);
        var sent = new List<OutboxMessage>(pending.Count);
        try
        {
            for (var i = 0; i < pending.Count; i++)
            {
                var message = pending[i];
                var result = await publishes[i].ConfigureAwait(false);
                Settle(message, result, message.IsMeasurement ? sent : delivered);
            }
        }
        finally
        {
            _outbox.Remove(delivered, delivered.Count);
            _outbox.MarkAwaitingAck(sent, sent.Count);
            _metrics.Published.Inc(delivered.Count + sent.Count);
        }
    }

    private void Settle(OutboxMessage message, MqttClientPublishResult result, List<OutboxMessage> settled)
    {
        if (message.IsMeasurement && message.Attempts > 0)
        {
            _metrics.MeasurementResends.Inc();
            if (message.Attempts == AckSilenceAttempts && !_ackSilenceReported)
            {
                _ackSilenceReported = true;
                Alert(
                    _measurementAckTopic,
                    $"no acknowledgement for a measurement batch after {AckSilenceAttempts} sends: is a trainer "
                    + "storing "
                    + $"measurements, and may this device read {_measurementAckTopic}?");
            }
        }

        // Checked before IsSuccess, which MQTTnet also sets for "no matching subscribers" (reason 16).
        if (result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            // Fine for a status or a reply nobody waits for; for a batch it means no trainer holds a session.
            if (message.IsMeasurement)
            {
                _metrics.MeasurementsUnrouted.Inc();
                if (!_unroutedReported)
                {
                    _unroutedReported = true;
                    LogUnrouted(_logger, message.Topic, _outbox.ResendDelay(message.Attempts).TotalSeconds);
                }
            }

            settled.Add(message);
            return;
        }

        if (result.IsSuccess)
        {
            _unroutedReported &= !message.IsMeasurement;
            settled.Add(message);
            return;
        }

        // Refused for good (e.g. not authorised). A control message is dropped so it cannot block the queue; a batch
        // is kept and sent again after its timeout (the window and the outbox bound keep that bounded).
        LogRefused(_logger, message.Topic, result.ReasonCode.ToString(), result.ReasonString, message.IsMeasurement);
        settled.Add(message);
    }

    private void HandleMeasurementAck(ReadOnlySequence<byte> payload)
    {
        MeasurementAckMessage ack;
        try
        {
            ack = ControlJson.Parse(
                payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(),
                MessagingJsonContext.Default.MeasurementAckMessage);
            if (ack.DeviceId != _device.DeviceId)
            {
                throw new MessageFormatException(
                    $"MeasurementAckMessage: names device '{ack.DeviceId}', not this agent ({_device.DeviceId}).");
            }
        }
        catch (MessageFormatException e)
        {
            _metrics.Rejected.WithLabels(nameof(TopicKind.MeasurementAck)).Inc();
            Alert(_measurementAckTopic, e.Message);
            return;
        }

        _ackSilenceReported = false;
        var removed = _outbox.Acknowledge(ack.BatchIds);
        _metrics.MeasurementAcks.Inc(removed);
        Wake();
    }

    private void CheckSubscriptions(MqttClientSubscribeResult result)
    {
        var problems = new List<string>();
        foreach (var refusal in MqttReconnectLoop.Refusals(result))
        {
            problems.Add(refusal.ToString());
            _metrics.SubscriptionRefusals.Inc();
            Alert(refusal.TopicFilter, refusal.ToString());
        }

        _subscriptionProblems = [.. problems];
    }

    private void WatchProblems(IEnumerable<IProblemSource> sources)
    {
        _outbox.StorageFailed += problem => Alert("agent/outbox", problem);
        _outbox.StorageRecovered += () => LogOutboxRecovered(_logger, _outbox.Count);
        if (_outbox.SetAsidePath is { } setAside)
        {
            Alert(
                "agent/outbox",
                $"the outbox database was corrupt; it was set aside as '{setAside}' and a fresh one created");
        }

        foreach (var source in sources)
        {
            foreach (var problem in source.Problems)
            {
                Alert(source.Component, problem);
            }

            source.ProblemReported += problem => Alert(source.Component, problem);
        }
    }

    /// <summary>
    /// Logs a problem now and queues its <see cref="ErrorMessage"/> for the sender, which stores it in the outbox:
    /// this may run under the outbox's own lock (its storage events), so it must not call into the outbox.
    /// </summary>
    private void Alert(string topic, string problem)
    {
        LogAlert(_logger, topic, problem);
        _alerts.Enqueue(new ErrorMessage
        {
            DeviceId = _device.DeviceId, Topic = topic, Problem = problem, Timestamp = DateTimeOffset.UtcNow,
        });
        while (_alerts.Count > MaxWaitingAlerts && _alerts.TryDequeue(out _))
        {
        }

        Wake();
    }

    private void PublishAlerts()
    {
        while (_alerts.TryDequeue(out var alert))
        {
            _outbox.Enqueue(OutboxMessage.Error(_errorsTopic, alert));
        }
    }

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "Broker refused a message on {Topic}: {ReasonCode} {ReasonString}; kept for a resend: {Kept}")]
    private static partial void LogRefused(
        ILogger logger, string topic, string reasonCode, string? reasonString, bool kept);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "No subscriber for measurements on {Topic} (no trainer session at the broker); batches stay in the "
            + "outbox and are sent again in {ResendSeconds:F0} s")]
    private static partial void LogUnrouted(ILogger logger, string topic, double resendSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent problem ({Component}): {Problem}")]
    private static partial void LogAlert(ILogger logger, string component, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "The outbox writes again; {Waiting} messages waiting")]
    private static partial void LogOutboxRecovered(ILogger logger, long waiting);
}
