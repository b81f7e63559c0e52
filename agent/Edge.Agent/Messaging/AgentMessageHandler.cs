using System.Buffers;
using System.Diagnostics;
using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Messaging;

/// <summary>
/// Decides what the agent does with each incoming message: PAT requests run the device's forward pass and are
/// answered on their response topic with their correlation data; model offers go to the
/// <see cref="IModelOfferHandler"/> and are acknowledged; inference requests go to the <see cref="IInferenceRequestHandler"/>
/// and are answered on their response topic; anything malformed or unexpected is answered on the
/// <c>errors</c> topic and counted. Every answer goes through the outbox. It never throws for a bad message.
/// PAT drives are played in slices of <see cref="MqttOptions.PatSliceDrives"/> through the <see cref="DeviceGate"/>,
/// so inference gets the device between slices; requests above <see cref="MqttOptions.MaxPatDrivesPerRequest"/>
/// are refused from the frame header.
/// </summary>
public sealed partial class AgentMessageHandler
{
    private readonly DeviceGate _device;
    private readonly MqttOptions _limits;
    private readonly SqliteOutbox _outbox;
    private readonly IMeasurementTap _measurements;
    private readonly IModelOfferHandler _offers;
    private readonly IInferenceRequestHandler _inference;
    private readonly AgentMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _errorsTopic;
    private readonly string _ackTopic;

    /// <summary>Creates the handler for <paramref name="device"/>; inference requests are answered saying there is no model store.</summary>
    public AgentMessageHandler(IPhysicalDevice device, SqliteOutbox outbox, IMeasurementTap measurements, IModelOfferHandler offers, AgentMetrics metrics, ILogger logger)
        : this(device, outbox, measurements, offers, new NoModelInferenceHandler(device?.DeviceId ?? ""), metrics, logger)
    {
    }

    /// <summary>
    /// Creates the handler for <paramref name="device"/> with <paramref name="inference"/> answering inference requests;
    /// served PAT drives go to <paramref name="measurements"/>, which samples them like inference drives.
    /// </summary>
    public AgentMessageHandler(IPhysicalDevice device, SqliteOutbox outbox, IMeasurementTap measurements, IModelOfferHandler offers, IInferenceRequestHandler inference, AgentMetrics metrics, ILogger logger)
        : this(device, outbox, measurements, offers, inference, metrics, logger, new MqttOptions())
    {
    }

    /// <summary>
    /// Creates the handler with the PAT limits of <paramref name="limits"/>. Give it the agent's
    /// <see cref="DeviceGate"/> so PAT slices and inference share one gate; a device not yet gated gets its own.
    /// </summary>
    public AgentMessageHandler(
        IPhysicalDevice device,
        SqliteOutbox outbox,
        IMeasurementTap measurements,
        IModelOfferHandler offers,
        IInferenceRequestHandler inference,
        AgentMetrics metrics,
        ILogger logger,
        MqttOptions limits)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(limits);
        (_outbox, _measurements, _offers, _inference) = (outbox, measurements, offers, inference);
        (_metrics, _logger, _limits) = (metrics, logger, limits);
        _device = device as DeviceGate ?? new DeviceGate(device);
        _errorsTopic = EdgeTopics.For(device.DeviceId, TopicKind.Errors);
        _ackTopic = EdgeTopics.For(device.DeviceId, TopicKind.ModelAck);
    }

    /// <summary>The lane <paramref name="message"/> is served in.</summary>
    public InboundLane LaneOf(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (InferenceTopics.IsRequest(message.Topic, _device.DeviceId))
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
            Reply(message, Json(reply), "application/json");
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

    /// <summary>Handles one message; failures are answered on the errors topic, never thrown.</summary>
    public async ValueTask HandleAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (InferenceTopics.IsRequest(message.Topic, _device.DeviceId))
        {
            await ServeInferenceAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        var kind = EdgeTopics.Parse(message.Topic, out var deviceId);
        if (kind == TopicKind.Unknown || deviceId != _device.DeviceId)
        {
            Reject(message, "unknown", $"topic '{message.Topic}' is not one this agent ({_device.DeviceId}) serves.");
            return;
        }

        switch (kind)
        {
            case TopicKind.PatRequest:
                await ServePatAsync(message, cancellationToken).ConfigureAwait(false);
                break;
            case TopicKind.ModelOffer:
                await HandleOfferAsync(message, cancellationToken).ConfigureAwait(false);
                break;
            default:
                Reject(message, kind.ToString(), $"the agent does not accept messages on its '{kind}' topic; it only publishes there.");
                break;
        }
    }

    /// <summary>
    /// Checks a PAT request's response topic and frame header (CRC, layer, the per-request limit) without allocating;
    /// a bad one is answered and counted now, so it never takes a place in the PAT lane. True when it was refused.
    /// </summary>
    public bool RefuseMalformedPat(InboundMessage message) => !TryReadPat(message, out _);

    private bool TryReadPat(InboundMessage message, out int count)
    {
        count = 0;
        if (!HasUsableResponseTopic(message))
        {
            Reject(message, nameof(TopicKind.PatRequest), "PAT request has no usable MQTT 5 response topic; nobody could receive the answer.");
            return false;
        }

        var spec = _device.Spec;
        try
        {
            // The declared shape decides before anything is allocated for the drives.
            count = PatFrames.ReadRequestShape(message.Payload.Span, out var driveLength);
            if (driveLength != spec.DriveLength)
            {
                throw new MessageFormatException($"PAT request: drive length {driveLength} does not match layer '{spec.Name}' (drive length {spec.DriveLength}).");
            }

            if (count > _limits.MaxPatDrivesPerRequest)
            {
                const string key = $"{MqttOptions.SectionName}:{nameof(MqttOptions.MaxPatDrivesPerRequest)}";
                throw new MessageFormatException(
                    $"PAT request: {count} drives exceed this agent's limit of {_limits.MaxPatDrivesPerRequest} per "
                    + $"request ({key}); split the batch.");
            }

            return true;
        }
        catch (MessageFormatException e)
        {
            RejectPat(message, e.Message);
            return false;
        }
    }

    private async ValueTask ServePatAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (!TryReadPat(message, out var count))
        {
            return;
        }

        var spec = _device.Spec;
        var drives = ArrayPool<float>.Shared.Rent(count * spec.DriveLength);
        var responses = ArrayPool<float>.Shared.Rent(count * spec.OutputSize);
        try
        {
            await ServePatAsync(message, count, drives, responses, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(drives);
            ArrayPool<float>.Shared.Return(responses);
        }
    }

    private async ValueTask ServePatAsync(
        InboundMessage message, int count, float[] drives, float[] responses, CancellationToken cancellationToken)
    {
        var spec = _device.Spec;
        try
        {
            PatFrames.DecodeRequest(message.Payload.Span, drives.AsSpan(0, count * spec.DriveLength));
        }
        catch (MessageFormatException e)
        {
            RejectPat(message, e.Message);
            return;
        }

        TimeSpan deviceTime;
        try
        {
            deviceTime = await PlayInSlicesAsync(drives, responses, count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or TimeoutException)
        {
            RejectPat(message, $"device {_device.DeviceId} could not play the drives: {e.Message}");
            return;
        }

        _metrics.DeviceSeconds.Observe(deviceTime.TotalSeconds);
        _metrics.PatRequests.Inc();
        _metrics.PatDrives.Inc(count);
        // Sampled before replying, so once a requester has its answer the measurements are on their way too.
        SampleMeasurements(drives, responses, count);
        var reply = PatFrames.EncodeReply(responses.AsSpan(0, count * spec.OutputSize), spec.OutputSize);
        Reply(message, reply, PatReplyContentType);
    }

    /// <summary>Plays the drives slice by slice behind any waiting inference; returns the device time alone.</summary>
    private async ValueTask<TimeSpan> PlayInSlicesAsync(
        float[] drives, float[] responses, int count, CancellationToken cancellationToken)
    {
        var spec = _device.Spec;
        var deviceTime = TimeSpan.Zero;
        for (var first = 0; first < count; first += _limits.PatSliceDrives)
        {
            var slice = Math.Min(_limits.PatSliceDrives, count - first);
            var played = drives.AsMemory(first * spec.DriveLength, slice * spec.DriveLength);
            var measured = responses.AsMemory(first * spec.OutputSize, slice * spec.OutputSize);
            var start = Stopwatch.GetTimestamp();
            await _device.ForwardInBackgroundAsync(played, measured, cancellationToken).ConfigureAwait(false);
            deviceTime += Stopwatch.GetElapsedTime(start);
            _metrics.PatSlices.Inc();
        }

        return deviceTime;
    }

    /// <summary>Answers <paramref name="message"/> on its response topic with its correlation data.</summary>
    private void Reply(InboundMessage message, byte[] payload, string contentType) => _outbox.Enqueue(new OutboxMessage(
        Guid.CreateVersion7(),
        message.ResponseTopic!,
        payload,
        IsMeasurement: false,
        ContentType: contentType,
        CorrelationData: message.CorrelationData));

    private static byte[] Json(InferenceReplyMessage reply) =>
        ControlJson.Serialize(reply, InferenceJsonContext.Default.InferenceReplyMessage);

    private static bool HasUsableResponseTopic(InboundMessage message) =>
        !string.IsNullOrEmpty(message.ResponseTopic) && message.ResponseTopic.AsSpan().IndexOfAny('+', '#') < 0;

    private async ValueTask ServeInferenceAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (!HasUsableResponseTopic(message))
        {
            Reject(message, InferenceRequestKind, "inference request has no usable MQTT 5 response topic; nobody could receive the answer.");
            return;
        }

        InferenceReplyMessage reply;
        try
        {
            var request = ControlJson.Parse(message.Payload.Span, InferenceJsonContext.Default.InferenceRequestMessage);
            reply = await _inference.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (MessageFormatException e)
        {
            reply = new InferenceReplyMessage { DeviceId = _device.DeviceId, Ok = false, Error = e.Message, Timestamp = DateTimeOffset.UtcNow };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The handler promised not to throw; if it does, the requester still gets an answer.
            reply = new InferenceReplyMessage { DeviceId = _device.DeviceId, Ok = false, Error = $"inference failed: {e.Message}", Timestamp = DateTimeOffset.UtcNow };
        }

        Reply(message, Json(reply), "application/json");
        if (!reply.Ok)
        {
            Reject(message, InferenceRequestKind, reply.Error ?? "inference failed");
        }
    }

    private void SampleMeasurements(float[] drives, float[] responses, int count)
    {
        var spec = _device.Spec;
        for (var i = 0; i < count; i++)
        {
            _measurements.Observe(drives.AsSpan(i * spec.DriveLength, spec.DriveLength), responses.AsSpan(i * spec.OutputSize, spec.OutputSize));
        }
    }

    private async ValueTask HandleOfferAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ModelOffer offer;
        try
        {
            // The package stays a slice of the received payload: no copy before the store reads it.
            offer = ModelOffer.Decode(message.Payload);
        }
        catch (MessageFormatException e)
        {
            _metrics.ModelOffers.WithLabels("malformed").Inc();
            Reject(message, nameof(TopicKind.ModelOffer), e.Message);
            return;
        }

        ModelOfferResult result;
        try
        {
            result = await _offers.HandleOfferAsync(offer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The handler promised not to throw; if it does, the offer is still answered rather than lost.
            result = new ModelOfferResult(false, $"the model store failed: {e.Message}");
        }

        _metrics.ModelOffers.WithLabels(result.Accepted ? "accepted" : "rejected").Inc();
        LogOffer(_logger, offer.OfferId, result.Accepted, result.Reason);
        Acknowledge(message, offer.OfferId, result);
    }

    private void Acknowledge(InboundMessage message, Guid offerId, ModelOfferResult result)
    {
        var ack = new ModelAckMessage
        {
            DeviceId = _device.DeviceId,
            OfferId = offerId,
            Accepted = result.Accepted,
            Reason = result.Reason,
            Timestamp = DateTimeOffset.UtcNow,
        };
        _outbox.Enqueue(new OutboxMessage(Guid.CreateVersion7(), _ackTopic, ControlJson.Serialize(ack, MessagingJsonContext.Default.ModelAckMessage), IsMeasurement: false, ContentType: "application/json", CorrelationData: message.CorrelationData));
    }

    private void RejectPat(InboundMessage message, string problem)
    {
        _outbox.Enqueue(new OutboxMessage(Guid.CreateVersion7(), message.ResponseTopic!, PatFrames.EncodeErrorReply(problem), IsMeasurement: false, ContentType: "application/x-edge-pat-reply", CorrelationData: message.CorrelationData));
        Reject(message, nameof(TopicKind.PatRequest), problem);
    }

    private void Reject(InboundMessage message, string kind, string problem)
    {
        _metrics.Rejected.WithLabels(kind).Inc();
        LogRejected(_logger, message.Topic, problem);
        PublishError(message, problem);
    }

    private void PublishError(InboundMessage message, string problem)
    {
        var error = new ErrorMessage
        {
            DeviceId = _device.DeviceId,
            Topic = message.Topic,
            Problem = problem,
            Timestamp = DateTimeOffset.UtcNow,
            CorrelationData = message.CorrelationData is null ? null : Convert.ToHexString(message.CorrelationData),
        };
        _outbox.Enqueue(new OutboxMessage(Guid.CreateVersion7(), _errorsTopic, ControlJson.Serialize(error, MessagingJsonContext.Default.ErrorMessage), IsMeasurement: false, ContentType: "application/json"));
    }

    private const string InferenceRequestKind = "InferenceRequest";
    private const string PatReplyContentType = "application/x-edge-pat-reply";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a message on {Topic}: {Problem}")]
    private static partial void LogRejected(ILogger logger, string topic, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a message on {Topic} as busy: its {Lane} lane is full")]
    private static partial void LogBusy(ILogger logger, string topic, InboundLane lane);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model offer {OfferId}: accepted={Accepted} ({Reason})")]
    private static partial void LogOffer(ILogger logger, Guid offerId, bool accepted, string reason);
}
