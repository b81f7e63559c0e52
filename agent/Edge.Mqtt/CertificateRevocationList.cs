using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Mqtt;

/// <summary>
/// An X.509 CRL read from a local file (PEM or DER) and checked against its issuer, so a private CA can revoke
/// certificates without an online distribution point. .NET on Linux consults only CRLs it downloads itself.
/// </summary>
public sealed class CertificateRevocationList
{
    private readonly HashSet<string> _revokedSerials;

    private CertificateRevocationList(X500DistinguishedName issuer, HashSet<string> revokedSerials)
    {
        Issuer = issuer;
        _revokedSerials = revokedSerials;
    }

    /// <summary>The CA that signed the list.</summary>
    public X500DistinguishedName Issuer { get; }

    /// <summary>Number of revoked certificates.</summary>
    public int Count => _revokedSerials.Count;

    /// <summary>
    /// Reads <paramref name="path"/> and verifies its signature with the one of <paramref name="issuers"/> that
    /// names it; throws <see cref="CryptographicException"/> saying why the list cannot be trusted.
    /// </summary>
    public static CertificateRevocationList Load(string path, X509Certificate2Collection issuers)
    {
        ArgumentNullException.ThrowIfNull(issuers);
        var der = Decode(File.ReadAllBytes(path));
        try
        {
            return Parse(der, issuers);
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException($"'{path}' is not an X.509 CRL: {e.Message}", e);
        }
    }

    /// <summary>
    /// True when <paramref name="certificate"/> was issued by <see cref="Issuer"/> and is on the list.
    /// </summary>
    public bool IsRevoked(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.IssuerName.RawData.AsSpan().SequenceEqual(Issuer.RawData)
            && _revokedSerials.Contains(SerialKey(certificate.SerialNumberBytes.Span));
    }

    private static byte[] Decode(byte[] file)
    {
        var text = System.Text.Encoding.ASCII.GetString(file);
        return PemEncoding.TryFind(text, out var pem) && text[pem.Label] == "X509 CRL"
            ? Convert.FromBase64String(text[pem.Base64Data])
            : file;
    }

    private static CertificateRevocationList Parse(byte[] der, X509Certificate2Collection issuers)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var signedPart = list.ReadEncodedValue();
        var algorithm = list.ReadSequence().ReadObjectIdentifier();
        var signature = list.ReadBitString(out _);

        var tbs = new AsnReader(signedPart, AsnEncodingRules.DER).ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger();
        }

        tbs.ReadSequence();
        var issuerName = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var issuer = issuers.FirstOrDefault(ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(issuerName.RawData))
            ?? throw new CryptographicException(
                $"the CRL is issued by '{issuerName.Name}', which is not in the CA file.");
        if (!VerifySignature(issuer, algorithm, signedPart.Span, signature))
        {
            throw new CryptographicException($"the CRL's signature does not verify with '{issuer.Subject}'.");
        }

        SkipTime(tbs);
        if (tbs.HasData && IsTime(tbs.PeekTag()))
        {
            SkipTime(tbs);
        }

        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                serials.Add(SerialKey(entries.ReadSequence().ReadIntegerBytes().Span));
            }
        }

        return new CertificateRevocationList(issuerName, serials);
    }

    private static bool VerifySignature(
        X509Certificate2 issuer, string algorithm, ReadOnlySpan<byte> data, byte[] signature)
    {
        var hash = algorithm switch
        {
            "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
            _ => throw new CryptographicException($"the CRL's signature algorithm {algorithm} is not supported."),
        };
        using var ecdsa = issuer.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = issuer.GetRSAPublicKey()
            ?? throw new CryptographicException($"'{issuer.Subject}' has neither an ECDSA nor an RSA key.");
        return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static void SkipTime(AsnReader reader)
    {
        if (!IsTime(reader.PeekTag()))
        {
            throw new AsnContentException("expected a time.");
        }

        reader.ReadEncodedValue();
    }

    // Serial numbers compare as unsigned big-endian integers: DER may add a leading zero byte.
    private static string SerialKey(ReadOnlySpan<byte> serial)
    {
        var start = 0;
        while (start < serial.Length - 1 && serial[start] == 0)
        {
            start++;
        }

        return Convert.ToHexString(serial[start..]);
    }
}
