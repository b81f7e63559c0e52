using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Mqtt;

/// <summary>
/// Accepts the broker's certificate only when it names the host and chains to the configured CA file alone
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>), or to the system roots when no CA file is set, and when it is
/// not on the configured CRL. Revocation is never fetched online: a private CA has no distribution point.
/// </summary>
internal sealed class ServerCertificateValidator(
    X509Certificate2Collection? roots, CertificateRevocationList? revocations)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>The decision for a certificate the TLS handshake presented with its platform verdict.</summary>
    public bool Validate(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (revocations?.IsRevoked(certificate) == true)
        {
            return false;
        }

        if (roots is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        try
        {
            return chain.Build(certificate);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }
}
