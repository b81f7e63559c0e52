using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Messaging;

/// <summary>
/// Decides what the agent does with each incoming message: PAT requests run the device's forward pass and are
/// answered on their response topic with their correlation data; model offers go to the
/// <see cref="IModelOfferHandler"/> and are acknowledged; inference requests go to the <see
/// cref="IInferenceRequestHandler"/>
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

    /// <summary>Creates the handler for <paramref name="device"/>; inference requests are answered saying there is no
    /// model store.</summary>
    public AgentMessageHandler(IPhysicalDevice device, SqliteOutbox outbox, IMeasurementTap measurements,
        IModelOfferHandler offers, AgentMetrics metrics, ILogger logger)
        : this(device, outbox, measurements, offers, new NoModelInferenceHandler(device?.DeviceId ?? ""), metrics,
            logger)
    {
    }

    /// <summary>
    /// Creates the handler for <paramref name="device"/> with <paramref name="inference"/> answering inference
    /// requests;
    /// served PAT drives go to <paramref name="measurements"/>, which samples them like inference drives.
    /// </summary>
    public AgentMessageHandler(IPhysicalDevice device, SqliteOutbox outbox, IMeasurementTap measurements,
        IModelOfferHandler offers, IInferenceRequestHandler inference, AgentMetrics metrics, ILogger logger)
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

    /// <summary>Handles one message; failures are answered on the errors topic, never thrown.</summary>
    public async ValueTask HandleAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (EdgeTopics.IsInferenceRequest(message.Topic, _device.DeviceId))
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
            case TopicKind.ModelRollback:
                await HandleRollbackAsync(message, cancellationToken).ConfigureAwait(false);
                break;
            case TopicKind.Environment:
                HandleEnvironment(message);
                break;
            default:
                Reject(message, kind.ToString(),
                    $"the agent does not accept messages on its '{kind}' topic; it only publishes there.");
                break;
        }
    }

    /// <summary>
    /// Answers <paramref name="message"/> on its response topic with its correlation data; an <paramref name="urgent"/>
    /// answer (inference) leaves the outbox ahead of everything else waiting there.
    /// </summary>
    private void Reply(InboundMessage message, byte[] payload, string contentType, bool urgent = false)
        => _outbox.Enqueue(new OutboxMessage(
            Guid.CreateVersion7(),
            message.ResponseTopic!,
            payload,
            IsMeasurement: false,
            ContentType: contentType,
            CorrelationData: message.CorrelationData) { Urgent = urgent });

    private static byte[] Json(InferenceReplyMessage reply) =>
        ControlJson.Serialize(reply, InferenceJsonContext.Default.InferenceReplyMessage);

    private static bool HasUsableResponseTopic(InboundMessage message) =>
        !string.IsNullOrEmpty(message.ResponseTopic) && message.ResponseTopic.AsSpan().IndexOfAny('+', '#') < 0;

    private async ValueTask ServeInferenceAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (!HasUsableResponseTopic(message))
        {
            Reject(message, InferenceRequestKind,
                "inference request has no usable MQTT 5 response topic; nobody could receive the answer.");
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
            reply = new InferenceReplyMessage { DeviceId = _device.DeviceId, Ok = false, Error = e.Message,
                Timestamp = DateTimeOffset.UtcNow };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The handler promised not to throw; if it does, the requester still gets an answer.
            reply = new InferenceReplyMessage { DeviceId = _device.DeviceId, Ok = false,
                Error = $"inference failed: {e.Message}", Timestamp = DateTimeOffset.UtcNow };
        }

        Reply(message, Json(reply), "application/json", urgent: true);
        if (!reply.Ok)
        {
            Reject(message, InferenceRequestKind, reply.Error ?? "inference failed");
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

    private async ValueTask HandleRollbackAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ModelRollbackInstruction instruction;
        ModelRollbackMessage signed;
        try
        {
            (instruction, signed) = ModelRollbackSigning.Decode(message.Payload.Span);
        }
        catch (MessageFormatException e)
        {
            Reject(message, nameof(TopicKind.ModelRollback), e.Message);
            return;
        }

        var result = _offers is IModelRollbackHandler handler
            ? await handler.HandleRollbackAsync(instruction, signed, cancellationToken).ConfigureAwait(false)
            : new ModelOfferResult(false, "this agent has no model store (Edge:Models): nothing to roll back.");
        LogRollback(_logger, instruction.Nonce, instruction.ToVersion, result.Accepted, result.Reason);
        Acknowledge(message, instruction.Nonce, result);
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
        _outbox.Enqueue(new OutboxMessage(Guid.CreateVersion7(), _ackTopic,
            ControlJson.Serialize(ack, MessagingJsonContext.Default.ModelAckMessage), IsMeasurement: false,
                ContentType: "application/json", CorrelationData: message.CorrelationData));
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
        _outbox.Enqueue(OutboxMessage.Error(_errorsTopic, error));
    }

    private const string InferenceRequestKind = "InferenceRequest";
    private const string PatReplyContentType = "application/x-edge-pat-reply";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a message on {Topic}: {Problem}")]
    private static partial void LogRejected(ILogger logger, string topic, string problem);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Rollback instruction {Nonce} to version {Version}: accepted={Accepted} ({Reason})")]
    private static partial void LogRollback(ILogger logger, Guid nonce, int version, bool accepted, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model offer {OfferId}: accepted={Accepted} ({Reason})")]
    private static partial void LogOffer(ILogger logger, Guid offerId, bool accepted, string reason);
}
