using System.IO.Compression;
using System.Text.Json;
using Edge.Domain.Models;

namespace Edge.Trainer.Live;

/// <summary>
/// Reads the model version a package's manifest declares, without verifying the signature (the agent does that before
/// installing): enough to label what was offered in the trainer's metrics.
/// </summary>
public static class ModelPackageVersion
{
    /// <summary>The manifest's <c>modelVersion</c>, or null when the bytes are not a package with a readable
    /// one.</summary>
    public static int? TryRead(ReadOnlyMemory<byte> package)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(package.ToArray(), writable: false), ZipArchiveMode.Read);
            var entry = zip.GetEntry(ModelPackageLayout.ManifestEntry);
            if (entry is null || entry.Length > 1 << 20)
            {
                return null;
            }

            using var stream = entry.Open();
            using var manifest = JsonDocument.Parse(stream);
            return manifest.RootElement.ValueKind == JsonValueKind.Object
                && manifest.RootElement.TryGetProperty("modelVersion", out var version)
                && version.ValueKind == JsonValueKind.Number
                && version.TryGetInt32(out var value) ? value : null;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
        {
            return null;
        }
    }
}
