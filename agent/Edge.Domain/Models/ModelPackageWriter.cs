using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Edge.Domain.Models;

/// <summary>
/// Builds a package: the files, a manifest (schema <see cref="ModelManifest.CurrentSchemaVersion"/>) listing each
/// file's SHA-256 and naming the signing key, and the manifest's ECDSA signature, zipped into one file. The caller
/// supplies the model's fields and <see cref="ModelManifest.Targets"/>; the writer sets the schema version, the key id
/// and <see cref="ModelManifest.Files"/>.
/// </summary>
public static class ModelPackageWriter
{
    /// <summary>
    /// Writes the signed package to <paramref name="destination"/> and returns the manifest as signed.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The manifest names no usable targets, or a file uses a reserved name.
    /// </exception>
    public static ModelManifest Write(
        Stream destination, ModelManifest manifest, IReadOnlyDictionary<string, byte[]> files, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(privateKey);
        var targets = manifest.Targets
            ?? throw new ArgumentException(
                "A package must name the devices or fleet it is for (Targets).", nameof(manifest));
        if (targets.Problem() is { } problem)
        {
            throw new ArgumentException($"Package targets: {problem}.", nameof(manifest));
        }

        var entries = new List<PackageFile>(files.Count);
        foreach (var (path, content) in files)
        {
            if (path is ModelPackageLayout.ManifestEntry or ModelPackageLayout.SignatureEntry)
            {
                throw new ArgumentException($"'{path}' is reserved for the manifest and its signature.", nameof(files));
            }

            entries.Add(new PackageFile(path, PackageSigning.Sha256Hex(content), content.LongLength));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var signed = manifest with
        {
            SchemaVersion = ModelManifest.CurrentSchemaVersion,
            KeyId = PackageSigning.KeyId(privateKey),
            Files = entries,
        };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(signed, ModelJsonContext.Default.ModelManifest);
        var signature = PackageSigning.Sign(privateKey, manifestBytes);
        using (var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, ModelPackageLayout.ManifestEntry, manifestBytes);
            Add(zip, ModelPackageLayout.SignatureEntry, signature);
            foreach (var entry in entries)
            {
                Add(zip, entry.Path, files[entry.Path]);
            }
        }

        return signed;
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = entry.Open();
        stream.Write(content);
    }
}
