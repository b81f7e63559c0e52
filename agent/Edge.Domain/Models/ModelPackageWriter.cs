using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Edge.Domain.Models;

/// <summary>
/// Builds a package: the files, a manifest listing each file's SHA-256, and the manifest's ECDSA signature, zipped
/// into one file. The caller supplies every field of the manifest except <see cref="ModelManifest.Files"/>.
/// </summary>
public static class ModelPackageWriter
{
    /// <summary>Writes the signed package to <paramref name="destination"/> and returns the manifest as signed.</summary>
    public static ModelManifest Write(Stream destination, ModelManifest manifest, IReadOnlyDictionary<string, byte[]> files, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
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
        var signed = manifest with { Files = entries };
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
