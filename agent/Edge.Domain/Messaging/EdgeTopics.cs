namespace Edge.Domain.Messaging;

/// <summary>
/// The MQTT topic scheme <c>edge/v1/{deviceId}/{kind}</c> shared by agents and trainers. Device ids are one topic
/// level of letters, digits, '-', '_' and '.', so they can never smuggle a wildcard or a separator into a topic.
/// </summary>
public static class EdgeTopics
{
    /// <summary>The versioned root of every Edge topic.</summary>
    public const string Root = "edge/v1";

    /// <summary>Longest accepted device id, in characters.</summary>
    public const int MaxDeviceIdLength = 64;

    private const string InferenceRequestSuffix = "/inference/request";

    /// <summary>Returns the topic of <paramref name="kind"/> for <paramref name="deviceId"/>.</summary>
    public static string For(string deviceId, TopicKind kind)
    {
        ValidateDeviceId(deviceId);
        return $"{Root}/{deviceId}/{Suffix(kind)}";
    }

    /// <summary>Returns the subscription filter matching <paramref name="kind"/> on every device
    /// (<c>edge/v1/+/...</c>).</summary>
    public static string AllDevices(TopicKind kind) => $"{Root}/+/{Suffix(kind)}";

    /// <summary>
    /// The inference request topic of <paramref name="deviceId"/>, <c>edge/v1/{deviceId}/inference/request</c>:
    /// requests
    /// carry an MQTT 5 response topic and correlation data (docs/mqtt.md).
    /// </summary>
    public static string InferenceRequest(string deviceId)
    {
        ValidateDeviceId(deviceId);
        return $"{Root}/{deviceId}{InferenceRequestSuffix}";
    }

    /// <summary>The response topic a requester with <paramref name="requesterId"/> listens on for inference
    /// replies.</summary>
    public static string InferenceResponse(string requesterId)
    {
        ValidateDeviceId(requesterId);
        return $"{Root}/_requesters/{requesterId}/inference/response";
    }

    /// <summary>True when <paramref name="topic"/> is <paramref name="deviceId"/>'s inference request topic.</summary>
    public static bool IsInferenceRequest(string topic, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(deviceId);
        return topic.Length == Root.Length + 1 + deviceId.Length + InferenceRequestSuffix.Length
            && topic.StartsWith(Root + "/", StringComparison.Ordinal)
            && topic.AsSpan(Root.Length + 1, deviceId.Length).SequenceEqual(deviceId)
            && topic.EndsWith(InferenceRequestSuffix, StringComparison.Ordinal);
    }

    /// <summary>The response topic a requester (a trainer) with <paramref name="requesterId"/> listens on for PAT
    /// replies.</summary>
    public static string PatResponse(string requesterId)
    {
        ValidateDeviceId(requesterId);
        return $"{Root}/_requesters/{requesterId}/pat/response";
    }

    /// <summary>
    /// The response topic a requester (an operator) with <paramref name="requesterId"/> listens on for answers to
    /// environment messages.
    /// </summary>
    public static string EnvironmentResponse(string requesterId)
    {
        ValidateDeviceId(requesterId);
        return $"{Root}/_requesters/{requesterId}/environment/response";
    }

    /// <summary>Splits an Edge device topic into its device id and kind; <see cref="TopicKind.Unknown"/> when it is not
    /// one.</summary>
    public static TopicKind Parse(string topic, out string deviceId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        deviceId = string.Empty;
        if (!topic.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return TopicKind.Unknown;
        }

        var rest = topic.AsSpan(Root.Length + 1);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return TopicKind.Unknown;
        }

        var id = rest[..slash].ToString();
        if (!IsValidDeviceId(id))
        {
            return TopicKind.Unknown;
        }

        var kind = rest[(slash + 1)..] switch
        {
            "status" => TopicKind.Status,
            "measurements" => TopicKind.Measurements,
            "pat/request" => TopicKind.PatRequest,
            "model/offer" => TopicKind.ModelOffer,
            "model/ack" => TopicKind.ModelAck,
            "inference" => TopicKind.Inference,
            "errors" => TopicKind.Errors,
            "model/rollback" => TopicKind.ModelRollback,
            "measurements/ack" => TopicKind.MeasurementAck,
            "control/environment" => TopicKind.Environment,
            _ => TopicKind.Unknown,
        };
        if (kind != TopicKind.Unknown)
        {
            deviceId = id;
        }

        return kind;
    }

    /// <summary>True when <paramref name="deviceId"/> can be used as one topic level.</summary>
    public static bool IsValidDeviceId(string? deviceId)
    {
        if (string.IsNullOrEmpty(deviceId) || deviceId.Length > MaxDeviceIdLength || deviceId[0] == '_')
        {
            return false;
        }

        foreach (var c in deviceId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when <paramref name="deviceId"/> is not a
    /// valid topic level.</summary>
    public static void ValidateDeviceId(string deviceId)
    {
        if (!IsValidDeviceId(deviceId))
        {
            throw new
                ArgumentException($"Device id '{deviceId}' is not usable in an MQTT topic: use 1-{MaxDeviceIdLength} "
                    + "letters, digits, '-', '_' or '.', not starting with '_'.", nameof(deviceId));
        }
    }

    private static string Suffix(TopicKind kind) => kind switch
    {
        TopicKind.Status => "status",
        TopicKind.Measurements => "measurements",
        TopicKind.PatRequest => "pat/request",
        TopicKind.ModelOffer => "model/offer",
        TopicKind.ModelAck => "model/ack",
        TopicKind.Inference => "inference",
        TopicKind.Errors => "errors",
        TopicKind.ModelRollback => "model/rollback",
        TopicKind.MeasurementAck => "measurements/ack",
        TopicKind.Environment => "control/environment",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a device topic kind."),
    };
}
