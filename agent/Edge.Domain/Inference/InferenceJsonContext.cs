using System.Text.Json.Serialization;

namespace Edge.Domain.Inference;

/// <summary>Source-generated JSON metadata for the inference exchange (same conventions as the other control
/// messages).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(InferenceRequestMessage))]
[JsonSerializable(typeof(InferenceReplyMessage))]
public sealed partial class InferenceJsonContext : JsonSerializerContext;
