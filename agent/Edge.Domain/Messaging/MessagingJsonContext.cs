using System.Text.Json.Serialization;

namespace Edge.Domain.Messaging;

/// <summary>
/// Source-generated JSON metadata for the control messages (trim- and AOT-safe). Strict: unknown members and repeated
/// members are refused, so a message cannot say two things at once.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(StatusMessage))]
[JsonSerializable(typeof(ErrorMessage))]
[JsonSerializable(typeof(ModelAckMessage))]
[JsonSerializable(typeof(InferenceMessage))]
[JsonSerializable(typeof(ModelRollbackMessage))]
[JsonSerializable(typeof(ModelRollbackInstruction))]
[JsonSerializable(typeof(MeasurementAckMessage))]
public sealed partial class MessagingJsonContext : JsonSerializerContext;
