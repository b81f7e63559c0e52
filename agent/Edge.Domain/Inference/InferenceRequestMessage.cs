using Edge.Domain.Messaging;

namespace Edge.Domain.Inference;

/// <summary>
/// A request to classify one example, on <c>inference/request</c>: exactly one of <see cref="Features"/> (the model's
/// feature vector) or <see cref="Wav"/> (a WAV file, base64 in JSON, for models with audio input).
/// </summary>
public sealed record InferenceRequestMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The feature vector, as many values as the active model's input size.</summary>
    public IReadOnlyList<float>? Features { get; init; }

    /// <summary>A whole WAV file (PCM 16/24/32-bit or float, any rate) for a model that takes sound.</summary>
    public byte[]? Wav { get; init; }

    /// <summary>A name for the example in logs and replies (e.g. the sender's file name).</summary>
    public string? Source { get; init; }
}
