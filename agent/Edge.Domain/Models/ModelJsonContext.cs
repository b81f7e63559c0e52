using System.Text.Json.Serialization;

namespace Edge.Domain.Models;

/// <summary>Source-generated JSON metadata for the model package contracts (trim- and AOT-safe for the agent).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ModelManifest))]
public sealed partial class ModelJsonContext : JsonSerializerContext;
