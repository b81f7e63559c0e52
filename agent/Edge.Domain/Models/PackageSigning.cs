using System.Security.Cryptography;

namespace Edge.Domain.Models;

/// <summary>ECDSA P-256 keys in PEM and the signature scheme packages use (SHA-256, IEEE P1363 encoding).</summary>
public static class PackageSigning
{
    /// <summary>Creates a new P-256 key pair.</summary>
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Loads a public key (SubjectPublicKeyInfo PEM); a missing or unreadable file is a <see cref="ModelPackageException"/> naming it.</summary>
    public static ECDsa LoadPublicKey(string path) => LoadKey(path, "public");

    /// <summary>Loads a private key (PKCS#8 or EC PEM); a missing or unreadable file is a <see cref="ModelPackageException"/> naming it.</summary>
    public static ECDsa LoadPrivateKey(string path) => LoadKey(path, "private");

    /// <summary>Signs <paramref name="data"/>.</summary>
    public static byte[] Sign(ECDsa privateKey, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        return privateKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>True when <paramref name="signature"/> is <paramref name="publicKey"/>'s signature of <paramref name="data"/>.</summary>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static ECDsa LoadKey(string path, string kind)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ModelPackageException($"Cannot read the {kind} key '{path}': {e.Message}", e);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ModelPackageException($"The {kind} key '{path}' is not an EC key in PEM: {e.Message}", e);
        }

        var bits = key.KeySize;
        if (bits != 256)
        {
            key.Dispose();
            throw new ModelPackageException($"The {kind} key '{path}' is a {bits}-bit EC key; packages are signed with P-256.");
        }

        return key;
    }
}
