using Edge.Domain.Messaging;

namespace Edge.Domain.Inference;

/// <summary>
/// Topics of the inference request/response exchange (docs/mqtt.md): requests go to
/// <c>edge/v1/{deviceId}/inference/request</c> with an MQTT 5 response topic and correlation data; requesters listen on
/// <c>edge/v1/_requesters/{requesterId}/inference/response</c>. Results of every inference also go to <c>inference</c>.
/// </summary>
public static class InferenceTopics
{
    private const string RequestSuffix = "/inference/request";

    /// <summary>The request topic of <paramref name="deviceId"/>.</summary>
    public static string Request(string deviceId)
    {
        EdgeTopics.ValidateDeviceId(deviceId);
        return $"{EdgeTopics.Root}/{deviceId}{RequestSuffix}";
    }

    /// <summary>The response topic a requester with <paramref name="requesterId"/> listens on.</summary>
    public static string Response(string requesterId)
    {
        EdgeTopics.ValidateDeviceId(requesterId);
        return $"{EdgeTopics.Root}/_requesters/{requesterId}/inference/response";
    }

    /// <summary>True when <paramref name="topic"/> is <paramref name="deviceId"/>'s request topic.</summary>
    public static bool IsRequest(string topic, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(deviceId);
        return topic.Length == EdgeTopics.Root.Length + 1 + deviceId.Length + RequestSuffix.Length
            && topic.StartsWith(EdgeTopics.Root + "/", StringComparison.Ordinal)
            && topic.AsSpan(EdgeTopics.Root.Length + 1, deviceId.Length).SequenceEqual(deviceId)
            && topic.EndsWith(RequestSuffix, StringComparison.Ordinal);
    }
}
