using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Mqtt;

namespace Edge.Tests.Shared.Faults;

/// <summary>
/// mosquitto with the shipped configuration (<see cref="ShippedBrokerFiles"/>) on free ports, as a process the
/// fault bench can kill -9 and start again on the same persistence folder. With <c>persistence: false</c> the
/// rendered file's <c>persistence true</c> is turned off, to measure what a broker without it loses.
/// </summary>
public sealed class FaultBroker : IDisposable
{
    /// <summary>The service identity the bench's PAT drivers connect as (the trainer role may send PAT requests).
    /// </summary>
    public const string TrainerIdentity = "trainer";

    private readonly string _config;
    private FieldProcess? _process;

    private FaultBroker(string folder, string config)
    {
        Folder = folder;
        _config = config;
    }

    /// <summary>The bench's folder (certificates, configuration, persistence).</summary>
    public string Folder { get; }

    /// <summary>Device listener (mTLS).</summary>
    public int DevicePort { get; private init; }

    /// <summary>Service listener (mTLS, service CA).</summary>
    public int ServicePort { get; private init; }

    /// <summary>Certificates made by make-certs.sh.</summary>
    public string Certificates => Path.Combine(Folder, "certs");

    /// <summary>The running mosquitto, or null while it is down.</summary>
    public FieldProcess? Process => _process;

    /// <summary>
    /// Makes certificates for <paramref name="devices"/> (and the service identities <paramref name="services"/>
    /// beside the trainer's, e.g. <c>operator</c>), renders the shipped configuration.
    /// </summary>
    public static async Task<FaultBroker> CreateAsync(
        string folder, IReadOnlyList<string> devices, bool persistence, IReadOnlyList<string>? services = null)
    {
        var root = Directory.CreateDirectory(folder);
        ShippedBrokerFiles.OpenToBroker(root);
        var certificates = Path.Combine(folder, "certs");
        await ShippedBrokerFiles.CopyCertificatesAsync(certificates, services ?? [], devices).ConfigureAwait(false);
        var (device, service, password) = (FreePort(), FreePort(), FreePort());
        var config = await ShippedBrokerFiles.RenderAsync(
            Path.Combine(folder, "conf"), certificates, device, service, password).ConfigureAwait(false);
        if (!persistence)
        {
            var text = await File.ReadAllTextAsync(config).ConfigureAwait(false);
            await File.WriteAllTextAsync(config, text.Replace("persistence true", "persistence false",
                StringComparison.Ordinal)).ConfigureAwait(false);
        }

        return new FaultBroker(folder, config) { DevicePort = device, ServicePort = service };
    }

    /// <summary>Starts mosquitto and waits until both listeners accept connections.</summary>
    public async Task StartAsync()
    {
        var executable = Find("mosquitto") ?? throw new InvalidOperationException(
            "mosquitto is not installed (apt-get install mosquitto mosquitto-clients).");
        _process = FieldProcess.Start(executable, ["-c", _config]);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"mosquitto exited with code {_process.ExitCode} at start:\n{_process.Tail()}");
            }

            if (await ListeningAsync(DevicePort).ConfigureAwait(false)
                && await ListeningAsync(ServicePort).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException("mosquitto did not listen within 20 s.");
    }

    /// <summary>kill -9 of mosquitto: whatever it had not saved is gone.</summary>
    public void Kill()
    {
        _process?.Dispose();
        _process = null;
    }

    /// <summary>The <c>EDGE_MQTT__…</c> settings of an agent for <paramref name="deviceId"/> over mTLS.</summary>
    public Dictionary<string, string> AgentEnvironment(string deviceId) => new()
    {
        ["EDGE_MQTT__ENABLED"] = "true",
        ["EDGE_MQTT__URL"] = $"mqtts://localhost:{DevicePort}",
        ["EDGE_MQTT__CAFILE"] = Path.Combine(Certificates, "ca.crt"),
        ["EDGE_MQTT__CRLFILE"] = Path.Combine(Certificates, "ca.crl"),
        ["EDGE_MQTT__CLIENTCERTIFICATEFILE"] = Path.Combine(Certificates, "devices", deviceId + ".crt"),
        ["EDGE_MQTT__CLIENTKEYFILE"] = Path.Combine(Certificates, "devices", deviceId + ".key"),
    };

    /// <summary>
    /// How a stock MQTT client reaches the service listener as the service identity <paramref name="identity"/>
    /// (mTLS with its certificate).
    /// </summary>
    public MqttConnectionSettings ServiceSettings(string identity = TrainerIdentity) => new()
    {
        Host = "localhost",
        Port = ServicePort,
        CaFile = Path.Combine(Certificates, "ca.crt"),
        CrlFile = Path.Combine(Certificates, "ca.crl"),
        ClientCertificateFile = Path.Combine(Certificates, "services", identity + ".crt"),
        ClientKeyFile = Path.Combine(Certificates, "services", identity + ".key"),
    };

    /// <summary>The broker options of <c>edge-trainer serve</c> as the trainer identity.</summary>
    public string[] TrainerArguments() =>
    [
        "--broker", $"mqtts://localhost:{ServicePort}",
        "--ca-file", Path.Combine(Certificates, "ca.crt"),
        "--client-cert", Path.Combine(Certificates, "services", TrainerIdentity + ".crt"),
        "--client-key", Path.Combine(Certificates, "services", TrainerIdentity + ".key"),
    ];

    /// <inheritdoc />
    public void Dispose() => Kill();

    /// <summary>Finds an executable on PATH or in the sbin folders Debian installs daemons into.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(':').Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A free TCP port on the loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> ListeningAsync(int port)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
