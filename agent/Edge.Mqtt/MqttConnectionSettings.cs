using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Edge.Mqtt;

/// <summary>
/// How a client reaches the broker, shared by agent, trainer and demo: TLS that verifies the broker against a CA
/// file by default, an offline CRL, a client certificate (mTLS) and/or user name and password, and no plaintext
/// unless <see cref="AllowPlaintext"/> says this is a lab. deploy/mosquitto/README.md describes the broker side.
/// </summary>
public record MqttConnectionSettings
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>Broker TCP port.</summary>
    public int Port { get; init; } = MqttBrokerAddress.TlsPort;

    /// <summary>Connect over TLS (<c>mqtts://</c>); the default.</summary>
    public bool UseTls { get; init; } = true;

    /// <summary>
    /// Permit <c>mqtt://</c> (plaintext): credentials, measurements and packages travel in clear. Lab only.
    /// </summary>
    public bool AllowPlaintext { get; init; }

    /// <summary>
    /// PEM file of the CA(s) the broker certificate must chain to; only these are trusted. Null: system roots.
    /// </summary>
    public string? CaFile { get; init; }

    /// <summary>PEM CRL of the CA in <see cref="CaFile"/>, checked offline; null: revocation is not checked.</summary>
    public string? CrlFile { get; init; }

    /// <summary>PEM certificate this client presents (mTLS); needs <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>User name, when the broker requires one.</summary>
    public string? Username { get; init; }

    /// <summary>Password for <see cref="Username"/>.</summary>
    public string? Password { get; init; }

    /// <summary>The broker address of these settings.</summary>
    public MqttBrokerAddress Address => new(Host, Port, UseTls);

    /// <summary>These settings with the broker at <paramref name="address"/>.</summary>
    public MqttConnectionSettings WithAddress(MqttBrokerAddress address) =>
        this with { Host = address.Host, Port = address.Port, UseTls = address.UseTls };

    /// <summary>
    /// Every problem of these settings, each naming its property; loads the files to prove they are usable.
    /// </summary>
    public IReadOnlyList<MqttSettingProblem> Validate()
    {
        var problems = new List<MqttSettingProblem>();
        void Fail(string key, string problem) => problems.Add(new MqttSettingProblem(key, problem));

        if (string.IsNullOrWhiteSpace(Host) || Uri.CheckHostName(Host) == UriHostNameType.Unknown)
        {
            Fail("Url", $"'{Host}' is not a host name or address.");
        }

        if (Port is < 1 or > 65535)
        {
            Fail("Url", $"{Port} is not a TCP port (1..65535).");
        }

        if (!UseTls && !AllowPlaintext)
        {
            Fail("Url", $"{Address} is plaintext: credentials and model packages would travel in clear. "
                + "Use mqtts:// or, for a lab broker only, allow plaintext (AllowPlaintext, --allow-plaintext).");
        }

        if (Password is not null && string.IsNullOrEmpty(Username))
        {
            Fail(nameof(Username), "a password is set but no user name.");
        }

        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            Fail(ClientCertificateFile is null ? nameof(ClientCertificateFile) : nameof(ClientKeyFile),
                "a client certificate needs both ClientCertificateFile and ClientKeyFile.");
        }

        if (!UseTls)
        {
            foreach (var (key, value) in TlsFiles())
            {
                if (value is not null)
                {
                    Fail(key, "is only used with mqtts:// (TLS).");
                }
            }

            return problems;
        }

        Probe(problems, nameof(CaFile), CaFile, path => LoadRoots(path));
        Probe(problems, nameof(CrlFile), CrlFile, _ => LoadRevocations());
        var certificate = ClientKeyFile is null ? null : ClientCertificateFile;
        Probe(problems, nameof(ClientCertificateFile), certificate, _ => LoadClientCertificate());
        return problems;
    }

    /// <summary>
    /// Throws <see cref="MqttConnectionSettingsException"/> listing every problem <see cref="Validate"/> finds.
    /// </summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new MqttConnectionSettingsException(problems);
        }
    }

    /// <summary>
    /// Points <paramref name="builder"/> at the broker with these credentials and TLS settings; throws
    /// <see cref="MqttConnectionSettingsException"/> listing every problem when the settings do not validate.
    /// </summary>
    public MqttClientOptionsBuilder ApplyTo(MqttClientOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EnsureValid();
        builder.WithTcpServer(Host, Port);
        if (!string.IsNullOrEmpty(Username))
        {
            builder.WithCredentials(Username, Password);
        }

        if (!UseTls)
        {
            return builder;
        }

        var validator = new ServerCertificateValidator(CaFile is null ? null : LoadRoots(CaFile), LoadRevocations());
        var clientCertificate = ClientCertificateFile is null ? null : LoadClientCertificate();
        return builder.WithTlsOptions(tls =>
        {
            tls.UseTls()
                .WithTargetHost(Host)
                .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithCertificateValidationHandler(args => validator.Validate(args.Certificate, args.SslPolicyErrors));
            if (clientCertificate is not null)
            {
                tls.WithClientCertificates([clientCertificate]);
            }
        });
    }

    private IEnumerable<(string Key, string? Value)> TlsFiles() =>
    [
        (nameof(CaFile), CaFile),
        (nameof(CrlFile), CrlFile),
        (nameof(ClientCertificateFile), ClientCertificateFile),
        (nameof(ClientKeyFile), ClientKeyFile),
    ];

    private static void Probe(List<MqttSettingProblem> problems, string key, string? path, Action<string> load)
    {
        if (path is null)
        {
            return;
        }

        if (!File.Exists(path))
        {
            problems.Add(new MqttSettingProblem(key, $"'{path}' does not exist."));
            return;
        }

        try
        {
            load(path);
        }
        catch (Exception e)
            when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            problems.Add(new MqttSettingProblem(key, $"'{path}' cannot be used: {e.Message}"));
        }
    }

    private static X509Certificate2Collection LoadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots.Count > 0 ? roots : throw new CryptographicException("it holds no PEM certificate.");
    }

    private CertificateRevocationList? LoadRevocations()
    {
        if (CrlFile is null)
        {
            return null;
        }

        return CaFile is null
            ? throw new ArgumentException("a CRL is checked against CaFile, which is not set.")
            : CertificateRevocationList.Load(CrlFile, LoadRoots(CaFile));
    }

    // Re-imported as PKCS#12 so that the key is usable by SslStream on every platform, not only as an ephemeral key.
    private X509Certificate2 LoadClientCertificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(ClientCertificateFile!, ClientKeyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }
}
