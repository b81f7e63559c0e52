using System.Text.Json;
using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// Whether two verified packages hold the same model: the same input, labels and stages, each physical stage with the
/// same layer and θ, each digital stage's file with the same SHA-256. Such a candidate needs no calibration run.
/// </summary>
internal static class StageIdentity
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> describe the same model.</summary>
    public static bool Same(ModelManifest a, ModelManifest b)
    {
        if (!a.ClassLabels.SequenceEqual(b.ClassLabels, StringComparer.Ordinal) || a.Stages.Count != b.Stages.Count
            || !SameJson(a.Input, b.Input, ModelJsonContext.Default.ModelInput))
        {
            return false;
        }

        for (var i = 0; i < a.Stages.Count; i++)
        {
            var (x, y) = (a.Stages[i], b.Stages[i]);
            if (x.Kind != y.Kind || x.InputSize != y.InputSize || x.OutputSize != y.OutputSize
                || x.BranchCount != y.BranchCount || !SameJson(x.Spec, y.Spec, ModelJsonContext.Default.LayerSpec)
                || !(x.Theta ?? []).SequenceEqual(y.Theta ?? [])
                || !string.Equals(FileDigest(a, x.File), FileDigest(b, y.File), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static string? FileDigest(ModelManifest manifest, string? file)
        => file is null ? null : manifest.Files.FirstOrDefault(f => f.Path == file)?.Sha256;

    private static bool SameJson<T>(T? a, T? b, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
        => JsonSerializer.Serialize(a!, type) == JsonSerializer.Serialize(b!, type);
}
