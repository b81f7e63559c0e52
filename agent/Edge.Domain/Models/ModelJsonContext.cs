using System.Text.Json.Serialization;

namespace Edge.Domain.Models;

/// <summary>
/// Source-generated JSON metadata for the model package contracts (trim- and AOT-safe for the agent). Parsing is
/// strict: unknown members and repeated members are refused.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(ModelManifest))]
public sealed partial class ModelJsonContext : JsonSerializerContext;
