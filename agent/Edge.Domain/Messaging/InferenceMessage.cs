using System.Text.Json.Serialization;

namespace Edge.Domain.Messaging;

/// <summary>One classification the agent made, on <c>inference</c> (Home Assistant reads its fields).</summary>
public sealed record InferenceMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The predicted class index.</summary>
    public required int ClassIndex { get; init; }

    /// <summary>The predicted class label, when the model names its classes.</summary>
    public string? Label { get; init; }

    /// <summary>Softmax probability of the predicted class, 0..1.</summary>
    public required double Confidence { get; init; }

    /// <summary>End-to-end inference latency in milliseconds.</summary>
    public required double LatencyMs { get; init; }

    /// <summary>The model version that answered (a number, as in status and inference replies).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ModelVersion { get; init; }

    /// <summary>True when the device was parked and the model's digital twin answered in its place.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Degraded { get; init; }

    /// <summary>When the inference finished.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
