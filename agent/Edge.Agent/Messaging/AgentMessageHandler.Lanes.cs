using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Messaging;

/// <summary>How inbound messages are sorted into lanes, and refused when their lane is full.</summary>
public sealed partial class AgentMessageHandler
{
    /// <summary>The lane <paramref name="message"/> is served in.</summary>
    public InboundLane LaneOf(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (EdgeTopics.IsInferenceRequest(message.Topic, _device.DeviceId))
        {
            return InboundLane.Inference;
        }

        var kind = EdgeTopics.Parse(message.Topic, out var deviceId);
        return deviceId != _device.DeviceId ? InboundLane.Control : kind switch
        {
            TopicKind.PatRequest => InboundLane.Pat,
            TopicKind.ModelOffer => InboundLane.Offer,
            _ => InboundLane.Control,
        };
    }

    /// <summary>
    /// Answers <paramref name="message"/> that its lane is full, where its sender listens (the response topic, the
    /// model ack, or the errors topic), and counts it; nothing is served.
    /// </summary>
    public void RefuseBusy(InboundMessage message, InboundLane lane)
    {
        ArgumentNullException.ThrowIfNull(message);
        _metrics.BusyRefusals.WithLabels(LaneLabel(lane)).Inc();
        var problem = $"busy: the agent's {LaneLabel(lane)} lane is full; try again later.";
        LogBusy(_logger, message.Topic, lane);
        if (lane == InboundLane.Offer && ModelOffer.PeekOfferId(message.Payload.Span) is { } offerId)
        {
            Acknowledge(message, offerId, new ModelOfferResult(false, problem));
        }
        else if (lane == InboundLane.Pat && HasUsableResponseTopic(message))
        {
            Reply(message, PatFrames.EncodeErrorReply(problem), PatReplyContentType);
        }
        else if (lane == InboundLane.Inference && HasUsableResponseTopic(message))
        {
            var reply = new InferenceReplyMessage
            {
                DeviceId = _device.DeviceId,
                Ok = false,
                Error = problem,
                Timestamp = DateTimeOffset.UtcNow,
            };
            Reply(message, Json(reply), "application/json", urgent: true);
        }
        else
        {
            PublishError(message, problem);
        }
    }

    /// <summary>
    /// Who sent a PAT request, for per-requester fairness: the client id in a response topic of the form
    /// <c>edge/v1/_requesters/{clientId}/...</c>, else the whole response topic.
    /// </summary>
    public static string RequesterOf(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var topic = message.ResponseTopic ?? "";
        var prefix = EdgeTopics.Root + "/_requesters/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return topic;
        }

        var rest = topic.AsSpan(prefix.Length);
        var end = rest.IndexOf('/');
        return (end < 0 ? rest : rest[..end]).ToString();
    }

    /// <summary>The metric label of <paramref name="lane"/>.</summary>
    public static string LaneLabel(InboundLane lane) => lane switch
    {
        InboundLane.Inference => "inference",
        InboundLane.Pat => "pat",
        InboundLane.Offer => "offer",
        _ => "control",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a message on {Topic} as busy: its {Lane} lane is full")]
    private static partial void LogBusy(ILogger logger, string topic, InboundLane lane);
}
