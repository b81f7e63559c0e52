using Edge.Domain.Messaging;

namespace Edge.Agent.Messaging;

/// <summary>A message waiting in the outbox; <see cref="MessageId"/> travels as the MQTT 5 user property
/// <c>msg-id</c>.</summary>
/// <param name="MessageId">Unique id, so receivers can drop redeliveries.</param>
/// <param name="Topic">Where it is published.</param>
/// <param name="Payload">The payload bytes.</param>
/// <param name="IsMeasurement">
/// A measurement batch: it leaves the outbox only on the trainer's acknowledgement and may be shed when the outbox is
/// full; control messages leave on the broker's PUBACK and are never shed.
/// </param>
/// <param name="Retain">Publish with the retain flag.</param>
/// <param name="ContentType">MQTT 5 content type.</param>
/// <param name="CorrelationData">MQTT 5 correlation data, for replies.</param>
public sealed record OutboxMessage(
    Guid MessageId,
    string Topic,
    byte[] Payload,
    bool IsMeasurement,
    bool Retain = false,
    string? ContentType = null,
    byte[]? CorrelationData = null)
{
    /// <summary>
    /// Leaves the outbox ahead of every message that is not urgent (inference replies: a requester waits for them,
    /// and they must not queue behind PAT replies or refusals of a flood). Urgent messages keep their order among
    /// themselves, and so do the others.
    /// </summary>
    public bool Urgent { get; init; }

    /// <summary>How often a measurement batch was sent without the trainer acknowledging it yet.</summary>
    public int Attempts { get; init; }

    /// <summary>Position in the outbox, assigned when stored.</summary>
    public long Sequence { get; init; }

    /// <summary>An <see cref="ErrorMessage"/> (a rejection or the agent's own alert) for the errors topic.</summary>
    public static OutboxMessage Error(string errorsTopic, ErrorMessage error) => new(
        Guid.CreateVersion7(),
        errorsTopic,
        ControlJson.Serialize(error, MessagingJsonContext.Default.ErrorMessage),
        IsMeasurement: false,
        ContentType: "application/json");
}
