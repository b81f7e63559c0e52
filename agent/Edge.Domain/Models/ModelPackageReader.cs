using System.Security.Cryptography;
using System.Text.Json;

namespace Edge.Domain.Models;

/// <summary>
/// Opens and verifies a package, authenticating before allocating: the declared sizes first (file, entry count,
/// manifest, signature), then only the manifest and signature are read (streamed, capped), the signature is verified
/// with the trusted key the manifest's <c>keyId</c> names, and only then is the manifest parsed in full, the listed
/// files matched against the zip directory and inflated one at a time through SHA-256 with their signed length as a
/// hard cap, and the input, targets and stage chain checked. Any failure is a <see cref="ModelPackageException"/>
/// naming what is wrong; nothing of an unverified package is returned.
/// </summary>
/// <remarks>
/// <c>requireTargets</c> (default true) accepts only manifest schema <see cref="ModelManifest.TargetedSchemaVersion"/>,
/// which names its key and targets: every new install must use it. False also reads schemas 1 to 3 (verified with any
/// trusted key) so a store can re-open a package it installed before this version.
/// </remarks>
public static class ModelPackageReader
{
    private const int CopyChunk = 16 * 1024;

    /// <summary>Reads and verifies the package file at <paramref name="packagePath"/>, streamed.</summary>
    public static VerifiedModelPackage Read(string packagePath, TrustedKeys keys, bool requireTargets = true)
    {
        ArgumentNullException.ThrowIfNull(keys);
        FileStream stream;
        try
        {
            stream = new FileStream(packagePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ModelPackageException($"Cannot read package '{packagePath}': {e.Message}", e);
        }

        using (stream)
        {
            return ReadSeekable(stream, keys, requireTargets);
        }
    }

    /// <summary>
    /// Reads and verifies the package in <paramref name="package"/>: in place when the stream can seek, otherwise
    /// copied once into memory up to <see cref="ModelPackageLayout.MaxPackageBytes"/>.
    /// </summary>
    public static VerifiedModelPackage Read(Stream package, TrustedKeys keys, bool requireTargets = true)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(keys);
        if (package.CanSeek)
        {
            return ReadSeekable(package, keys, requireTargets);
        }

        using var copy = new MemoryStream();
        var chunk = new byte[CopyChunk];
        int read;
        while ((read = package.Read(chunk)) > 0)
        {
            if (copy.Length + read > ModelPackageLayout.MaxPackageBytes)
            {
                throw new ModelPackageException($"Package exceeds the limit of {ModelPackageLayout.MaxPackageBytes} "
                    + "bytes.");
            }

            copy.Write(chunk, 0, read);
        }

        copy.Position = 0;
        return ReadSeekable(copy, keys, requireTargets);
    }

    /// <summary>Reads and verifies the package in <paramref name="package"/> (in-memory use: tests, tools).</summary>
    public static VerifiedModelPackage Read(ReadOnlySpan<byte> package, TrustedKeys keys, bool requireTargets = true)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (package.Length > ModelPackageLayout.MaxPackageBytes)
        {
            throw new ModelPackageException($"Package is {package.Length} bytes; the limit is "
                + $"{ModelPackageLayout.MaxPackageBytes}.");
        }

        using var stream = new MemoryStream(package.ToArray(), writable: false);
        return ReadSeekable(stream, keys, requireTargets);
    }

    private static VerifiedModelPackage ReadSeekable(Stream stream, TrustedKeys keys, bool requireTargets)
    {
        try
        {
            var zip = PackageZip.Open(stream);
            var manifestEntry = Required(zip, ModelPackageLayout.ManifestEntry);
            if (manifestEntry.Length is 0 or > ModelPackageLayout.MaxManifestBytes)
            {
                throw new ModelPackageException($"Manifest is declared {manifestEntry.Length} bytes; it must be 1 to "
                    + $"{ModelPackageLayout.MaxManifestBytes}.");
            }

            var signatureEntry = Required(zip, ModelPackageLayout.SignatureEntry);
            if (signatureEntry.Length != ModelPackageLayout.SignatureBytes)
            {
                throw new ModelPackageException($"Signature is declared {signatureEntry.Length} bytes; an ECDSA P-256 "
                    + $"signature is {ModelPackageLayout.SignatureBytes}.");
            }

            var manifestBytes = ReadEntry(zip, manifestEntry, hash: null);
            var signature = ReadEntry(zip, signatureEntry, hash: null);
            var keyId = Authenticate(manifestBytes, signature, keys, requireTargets);

            var manifest = Deserialize(manifestBytes);
            ManifestChecks.Signed(manifest, keyId);
            ManifestChecks.Input(manifest);
            var files = Inflate(zip, ManifestChecks.Listing(manifest, zip));
            ManifestChecks.Stages(manifest, files);
            return new VerifiedModelPackage(manifest, files, manifestBytes, keyId);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ModelPackageException(
                $"Package is not a readable zip file (truncated or corrupt): {e.Message}", e);
        }
    }

    // Finds the signing key from the manifest's unauthenticated header, then proves the manifest is that key's.
    private static string Authenticate(byte[] manifestBytes, byte[] signature, TrustedKeys keys, bool requireTargets)
    {
        var header = ManifestHeader.Parse(manifestBytes);
        var oldest = requireTargets ? ModelManifest.TargetedSchemaVersion : ModelManifest.MinimumSchemaVersion;
        if (header.SchemaVersion is < ModelManifest.MinimumSchemaVersion or > ModelManifest.CurrentSchemaVersion)
        {
            throw new ModelPackageException($"Manifest schema version {header.SchemaVersion} is unknown; this agent "
                + $"reads versions {oldest} to {ModelManifest.CurrentSchemaVersion}.");
        }

        if (header.SchemaVersion < oldest)
        {
            throw new ModelPackageException($"Manifest schema version {header.SchemaVersion} names neither its signing "
                + $"key nor its target devices; new installs need version {ModelManifest.TargetedSchemaVersion} "
                + "(rebuild the package with a current trainer).");
        }

        if (header.SchemaVersion >= ModelManifest.TargetedSchemaVersion)
        {
            var keyId = header.KeyId ?? throw new ModelPackageException(
                "Manifest has no 'keyId': a schema 4 package names the key that signed it.");
            return keys.Verify(keyId, manifestBytes, signature)
                ? keyId
                : throw new ModelPackageException($"Package signature does not verify with trusted key {keyId}: "
                    + "the manifest was altered or signed with another key.");
        }

        return keys.FindSigner(manifestBytes, signature)
            ?? throw new ModelPackageException("Package signature does not verify with any trusted key: the package "
                + "was signed with another key or its manifest was altered.");
    }

    private static ModelManifest Deserialize(byte[] manifestBytes)
    {
        try
        {
            return JsonSerializer.Deserialize(manifestBytes, ModelJsonContext.Default.ModelManifest)
                ?? throw new ModelPackageException("Manifest is null.");
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"Manifest field '{e.Path}' is invalid: {e.Message}", e);
        }
    }

    private static Dictionary<string, byte[]> Inflate(
        PackageZip zip, List<(PackageFile File, PackageZipEntry Entry)> listed)
    {
        var files = new Dictionary<string, byte[]>(listed.Count, StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var (file, entry) in listed)
        {
            var content = ReadEntry(zip, entry, hash);
            hash.GetHashAndReset(digest);
            if (!string.Equals(Convert.ToHexStringLower(digest), file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelPackageException($"Package file '{file.Path}' does not match its SHA-256 in the "
                    + "manifest: it was altered.");
            }

            files.Add(file.Path, content);
        }

        return files;
    }

    // Exactly the declared length, streamed; one byte more is refused at once, so an entry never inflates past its cap.
    private static byte[] ReadEntry(PackageZip zip, PackageZipEntry entry, IncrementalHash? hash)
    {
        var content = new byte[entry.Length];
        using var stream = zip.OpenEntry(entry);
        var filled = 0;
        while (filled < content.Length)
        {
            var read = stream.Read(content, filled, Math.Min(CopyChunk, content.Length - filled));
            if (read == 0)
            {
                throw new ModelPackageException($"Package entry '{entry.Name}' holds fewer bytes than the "
                    + $"{entry.Length} it declares (truncated or corrupt).");
            }

            hash?.AppendData(content, filled, read);
            filled += read;
        }

        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) != 0)
        {
            throw new ModelPackageException($"Package entry '{entry.Name}' inflates beyond the {entry.Length} bytes it "
                + "declares.");
        }

        return content;
    }

    private static PackageZipEntry Required(PackageZip zip, string name)
        => zip.Entries.TryGetValue(name, out var entry) ? entry : throw new ModelPackageException(
            $"Package has no '{name}'.");
}
