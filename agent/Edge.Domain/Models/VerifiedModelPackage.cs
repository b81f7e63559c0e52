namespace Edge.Domain.Models;

/// <summary>
/// A package whose signature, digests and stages passed every check of <see cref="ModelPackageReader"/>.
/// </summary>
public sealed class VerifiedModelPackage
{
    private readonly Dictionary<string, byte[]> _files;

    internal VerifiedModelPackage(
        ModelManifest manifest, Dictionary<string, byte[]> files, byte[] manifestBytes, string keyId)
    {
        Manifest = manifest;
        _files = files;
        ManifestSha256 = PackageSigning.Sha256Hex(manifestBytes);
        KeyId = keyId;
    }

    /// <summary>Id of the trusted key whose signature verified (the manifest's <c>keyId</c> from schema 4).</summary>
    public string KeyId { get; }

    /// <summary>The verified manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>SHA-256 of the signed manifest bytes: identifies this exact package.</summary>
    public string ManifestSha256 { get; }

    /// <summary>Content of the file at <paramref name="path"/> (a path the manifest lists).</summary>
    public ReadOnlyMemory<byte> File(string path)
        => _files.TryGetValue(path, out var content) ? content : throw new KeyNotFoundException(
            $"Package has no file '{path}'.");
}
