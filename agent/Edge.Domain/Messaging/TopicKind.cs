namespace Edge.Domain.Messaging;

/// <summary>The kinds of topic under <c>edge/v1/{deviceId}/</c>; see docs/mqtt.md.</summary>
public enum TopicKind
{
    /// <summary>Not an Edge device topic.</summary>
    Unknown,

    /// <summary><c>status</c>: retained JSON <see cref="StatusMessage"/>, also the agent's last will.</summary>
    Status,

    /// <summary><c>measurements</c>: binary <see cref="MeasurementBatch"/> frames, agent → trainer.</summary>
    Measurements,

    /// <summary><c>pat/request</c>: binary drive batches with an MQTT 5 response topic and correlation data, trainer →
    /// agent.</summary>
    PatRequest,

    /// <summary><c>model/offer</c>: binary <see cref="ModelOffer"/> frames carrying an opaque model package, trainer →
    /// agent.</summary>
    ModelOffer,

    /// <summary><c>model/ack</c>: JSON <see cref="ModelAckMessage"/>, agent → trainer.</summary>
    ModelAck,

    /// <summary><c>inference</c>: JSON <see cref="InferenceMessage"/>, agent → anyone.</summary>
    Inference,

    /// <summary><c>errors</c>: JSON <see cref="ErrorMessage"/> naming a rejected message, agent → anyone.</summary>
    Errors,

    /// <summary><c>model/rollback</c>: JSON <see cref="ModelRollbackMessage"/>, a signed rollback instruction, trainer
    /// → agent.</summary>
    ModelRollback,

    /// <summary>
    /// <c>measurements/ack</c>: JSON <see cref="MeasurementAckMessage"/> naming the batches the trainer has committed
    /// to its store, trainer → agent; the agent keeps a batch in its outbox until this says it is stored.
    /// </summary>
    MeasurementAck,

    /// <summary>
    /// <c>control/environment</c>: JSON <see cref="EnvironmentMessage"/> setting a simulated part's environment,
    /// operator or trainer → agent.
    /// </summary>
    Environment,
}
