using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Edge.Domain.Models;

namespace Edge.Agent.Tests.Models;

/// <summary>Takes a package apart and puts it back together, with or without a fresh signature, to forge bad
/// ones.</summary>
internal static class PackageSurgery
{
    public static Dictionary<string, byte[]> Unzip(byte[] package)
    {
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries[entry.FullName] = copy.ToArray();
        }

        return entries;
    }

    public static byte[] Zip(Dictionary<string, byte[]> entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        }

        return output.ToArray();
    }

    public static ModelManifest Manifest(byte[] package)
        => JsonSerializer.Deserialize(Unzip(package)[ModelPackageLayout.ManifestEntry],
            ModelJsonContext.Default.ModelManifest)!;

    /// <summary>Re-signs an edited manifest with <paramref name="key"/>, keeping the files as they are.</summary>
    public static byte[] Resign(byte[] package, Func<ModelManifest, ModelManifest> edit, ECDsa key)
    {
        var entries = Unzip(package);
        var manifest = edit(Manifest(package));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ModelJsonContext.Default.ModelManifest);
        entries[ModelPackageLayout.ManifestEntry] = bytes;
        entries[ModelPackageLayout.SignatureEntry] = PackageSigning.Sign(key, bytes);
        return Zip(entries);
    }

    /// <summary>Edits raw manifest JSON (for fields the typed manifest cannot express) and re-signs it.</summary>
    public static byte[] ResignJson(byte[] package, Func<string, string> edit, ECDsa key)
    {
        var entries = Unzip(package);
        var manifest = System.Text.Encoding.UTF8.GetString(entries[ModelPackageLayout.ManifestEntry]);
        var bytes = System.Text.Encoding.UTF8.GetBytes(edit(manifest));
        entries[ModelPackageLayout.ManifestEntry] = bytes;
        entries[ModelPackageLayout.SignatureEntry] = PackageSigning.Sign(key, bytes);
        return Zip(entries);
    }
}
