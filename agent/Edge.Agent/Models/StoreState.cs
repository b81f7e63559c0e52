using System.Text.Json.Serialization;

namespace Edge.Agent.Models;

/// <summary>What the store persists in <c>state.json</c>: the installed versions and the activation stack (top = active).</summary>
internal sealed record StoreState
{
    public List<InstalledVersion> Installed { get; init; } = [];

    /// <summary>Versions in activation order; the last is active, rollback pops it.</summary>
    public List<int> ActivationStack { get; init; } = [];
}

/// <summary>One installed package.</summary>
/// <param name="Version">Model version.</param>
/// <param name="File">Package file name inside the store's <c>versions</c> folder.</param>
/// <param name="CalibrationAccuracy">Accuracy measured on the calibration set when it was installed.</param>
/// <param name="InstalledAt">When it was installed.</param>
/// <param name="ManifestSha256">Digest of its signed manifest.</param>
internal sealed record InstalledVersion(int Version, string File, double CalibrationAccuracy, DateTimeOffset InstalledAt, string ManifestSha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(StoreState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
