using System.Text.Json.Serialization;
using Edge.Domain.Messaging;

namespace Edge.Domain.Inference;

/// <summary>
/// The answer to an <see cref="InferenceRequestMessage"/>, on the request's response topic with its correlation data:
/// the class with its confidence and latency split into digital and device time, or <see cref="Error"/> saying why not.
/// </summary>
public sealed record InferenceReplyMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The answering agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>True when the example was classified; false with <see cref="Error"/> otherwise.</summary>
    public required bool Ok { get; init; }

    /// <summary>The predicted class index.</summary>
    public int? ClassIndex { get; init; }

    /// <summary>The predicted class label.</summary>
    public string? Label { get; init; }

    /// <summary>Softmax probability of the predicted class, 0..1.</summary>
    public double? Confidence { get; init; }

    /// <summary>Time in the digital stages (ONNX Runtime and glue), in milliseconds.</summary>
    public double? DigitalMs { get; init; }

    /// <summary>Time waiting for the physical device, in milliseconds.</summary>
    public double? DeviceMs { get; init; }

    /// <summary>The model version that answered.</summary>
    public int? ModelVersion { get; init; }

    /// <summary>The request's source name, echoed.</summary>
    public string? Source { get; init; }

    /// <summary>Why the example was not classified.</summary>
    public string? Error { get; init; }

    /// <summary>When the reply was made.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// True when the device was parked and the model's digital twin answered in its place (omitted on errors).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Degraded { get; init; }
}
