using System.Text.Json.Serialization;

namespace Edge.Domain.Specs;

/// <summary>Source-generated JSON metadata for the shared contracts (trim- and AOT-safe for the agent).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(LayerSpec))]
public sealed partial class DomainJsonContext : JsonSerializerContext;
