using System.Security.Cryptography;

namespace Edge.Domain.Models;

/// <summary>ECDSA P-256 keys in PEM and the signature scheme packages use (SHA-256, IEEE P1363 encoding).</summary>
public static class PackageSigning
{
    /// <summary>Creates a new P-256 key pair.</summary>
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// Loads a public key (SubjectPublicKeyInfo PEM); a missing or unreadable file is a <see
    /// cref="ModelPackageException"/> naming it.
    /// </summary>
    public static ECDsa LoadPublicKey(string path) => LoadKey(path, "public");

    /// <summary>
    /// Loads a private key (PKCS#8 or EC PEM); a missing or unreadable file is a <see cref="ModelPackageException"/>
    /// naming it.
    /// </summary>
    public static ECDsa LoadPrivateKey(string path) => LoadKey(path, "private");

    /// <summary>Signs <paramref name="data"/>.</summary>
    public static byte[] Sign(ECDsa privateKey, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        return privateKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>
    /// True when <paramref name="signature"/> is <paramref name="publicKey"/>'s signature of <paramref name="data"/>.
    /// </summary>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Length of a key id: 16 lower-case hex digits (the first 8 bytes of a SHA-256).</summary>
    public const int KeyIdLength = 16;

    /// <summary>
    /// The key's id: the first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo DER, as 16 lower-case hex digits.
    /// A private key and its public key have the same id.
    /// </summary>
    public static string KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key.ExportSubjectPublicKeyInfo(), digest);
        return Convert.ToHexStringLower(digest[..(KeyIdLength / 2)]);
    }

    /// <summary>True when <paramref name="keyId"/> has the shape of a key id: 16 lower-case hex digits.</summary>
    public static bool IsKeyId(string? keyId)
    {
        if (keyId is not { Length: KeyIdLength })
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A new key holding only the public half of <paramref name="key"/> (for a trust set made from a signing key).
    /// </summary>
    public static ECDsa PublicKeyOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
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

        if (kind == "public" && pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new ModelPackageException($"The public key '{path}' holds a private key; give agents only the public "
                + "key (.pub.pem).");
        }

        ECDsa key;
        try
        {
            key = ECDsa.Create();
        }
        catch (PlatformNotSupportedException e)
        {
            // On Linux, .NET verifies signatures through the system's OpenSSL; a minimal image may not have it.
            throw new ModelPackageException($"Cannot load the {kind} key '{path}': {e.Message} Install OpenSSL 3 "
                + "(Debian and Raspberry Pi OS: apt install libssl3).", e);
        }

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
            throw new ModelPackageException($"The {kind} key '{path}' is a {bits}-bit EC key; packages are signed with "
                + "P-256.");
        }

        return key;
    }
}
