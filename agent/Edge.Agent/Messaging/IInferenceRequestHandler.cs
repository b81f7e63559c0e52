using Edge.Domain.Inference;

namespace Edge.Agent.Messaging;

/// <summary>
/// Answers inference requests arriving over MQTT (<c>inference/request</c>). The model store's live inference path
/// implements it; <see cref="AgentMessageHandler"/> parses the request, sends the reply to the response topic and
/// reports
/// failed requests on <c>errors</c>.
/// </summary>
public interface IInferenceRequestHandler
{
    /// <summary>Classifies the request's example, or replies with <see cref="InferenceReplyMessage.Error"/> set. Must
    /// not throw for bad input.</summary>
    ValueTask<InferenceReplyMessage> HandleAsync(InferenceRequestMessage request, CancellationToken cancellationToken);
}

/// <summary>The handler used while no model store is registered: every request is answered with the reason.</summary>
/// <param name="deviceId">The agent's device id, for the replies.</param>
public sealed class NoModelInferenceHandler(string deviceId) : IInferenceRequestHandler
{
    /// <inheritdoc />
    public ValueTask<InferenceReplyMessage> HandleAsync(InferenceRequestMessage request,
        CancellationToken cancellationToken)
        => ValueTask.FromResult(new InferenceReplyMessage
        {
            DeviceId = deviceId,
            Ok = false,
            Source = request?.Source,
            Error =
                "this agent has no model store configured (Edge:Models:StoreDirectory), so it has no model to classify "
                    + "with",
            Timestamp = DateTimeOffset.UtcNow,
        });
}
