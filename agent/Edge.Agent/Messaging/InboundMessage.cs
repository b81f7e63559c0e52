namespace Edge.Agent.Messaging;

/// <summary>A message the agent received, reduced to what the handler needs.</summary>
/// <param name="Topic">The topic it arrived on.</param>
/// <param name="Payload">Its payload.</param>
/// <param name="ResponseTopic">Its MQTT 5 response topic, if any.</param>
/// <param name="CorrelationData">Its MQTT 5 correlation data, if any.</param>
public sealed record InboundMessage(string Topic, ReadOnlyMemory<byte> Payload, string? ResponseTopic,
    byte[]? CorrelationData);
