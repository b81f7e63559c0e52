using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Domain.Data;
using Edge.Mqtt;
using Edge.Trainer.Live;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace Edge.Integration.Tests;

/// <summary>
/// mosquitto started with the shipped deploy/mosquitto configuration, rendered by its render-config.sh on free
/// ports, with a CA and certificates made by its make-certs.sh in a temporary folder: devices
/// <see cref="DeviceA"/>, <see cref="DeviceB"/> and the demo's agents, the trainer, a requester
/// (<see cref="Requester"/>), the <see cref="Operator"/>, and a password-file user <see cref="PasswordDevice"/>.
/// </summary>
public sealed class ShippedBroker : IAsyncDisposable
{
    public const string DeviceA = "dev-a";
    public const string DeviceB = "dev-b";
    public const string PasswordDevice = "dev-p";
    public const string DevicePassword = "correct horse";
    public const string Requester = "operator-1";

    /// <summary>The operator role: may set a simulated part's environment.</summary>
    public const string Operator = "operator";

    /// <summary>Agents of the demo (edge-sim-01...), so the demo can run against this broker too.</summary>
    public static readonly string[] DemoAgents = ["edge-sim-01", "edge-sim-02", "edge-sim-03"];

    private readonly DirectoryInfo _folder;
    private readonly MosquittoBroker _broker;

    private ShippedBroker(DirectoryInfo folder)
    {
        _folder = folder;
        _broker = new MosquittoBroker(Render);
    }

    public int DevicePort => _broker.Port;

    public int ServicePort { get; } = FreePort();

    public int PasswordPort { get; } = FreePort();

    /// <summary>The make-certs.sh folder.</summary>
    public string Certificates => Path.Combine(_folder.FullName, "certs");

    private static string Deploy => Path.Combine(
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"),
        "deploy",
        "mosquitto");

    public static async Task<ShippedBroker> StartAsync()
    {
        MosquittoBroker.RequireInstalled();
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the shipped broker configuration runs on Linux (bash, openssl, mosquitto).");
        }

        var folder = Directory.CreateTempSubdirectory("edge-shipped-broker-");
        if (!OperatingSystem.IsWindows())
        {
            // mosquitto drops to its own user before it reads the configuration, ACLs and password file.
            folder.UnixFileMode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        }
        var broker = new ShippedBroker(folder);
        await RunAsync("bash", Path.Combine(Deploy, "make-certs.sh"), "--dir", broker.Certificates,
            "--service", Requester, "--service", Operator,
            DeviceA, DeviceB, DemoAgents[0], DemoAgents[1], DemoAgents[2]);
        await broker._broker.StartAsync();
        return broker;
    }

    /// <summary>
    /// Revokes <paramref name="identity"/> with make-certs.sh and restarts the broker to load the new CRL.
    /// </summary>
    public async Task RevokeAndRestartAsync(string identity)
    {
        await RunAsync("bash", Path.Combine(Deploy, "make-certs.sh"), "--dir", Certificates, "revoke", identity);
        await _broker.StopAsync();
        await _broker.StartAsync();
    }

    /// <summary>A device's mTLS settings on the device listener.</summary>
    public MqttConnectionSettings Device(string deviceId) => Tls(DevicePort) with
    {
        ClientCertificateFile = Path.Combine(Certificates, "devices", deviceId + ".crt"),
        ClientKeyFile = Path.Combine(Certificates, "devices", deviceId + ".key"),
    };

    /// <summary>A service identity (trainer, requester) on the service listener.</summary>
    public BrokerOptions Service(string identity, string clientId) => new()
    {
        Host = "localhost",
        Port = ServicePort,
        CaFile = Path.Combine(Certificates, "ca.crt"),
        CrlFile = Path.Combine(Certificates, "ca.crl"),
        ClientCertificateFile = Path.Combine(Certificates, "services", identity + ".crt"),
        ClientKeyFile = Path.Combine(Certificates, "services", identity + ".key"),
        ClientId = clientId,
    };

    /// <summary>The trainer role on the service listener.</summary>
    public BrokerOptions Trainer(string clientId) => Service("trainer", clientId);

    /// <summary>Server-verified TLS to <paramref name="port"/> without a client certificate.</summary>
    public MqttConnectionSettings Tls(int port) => new()
    {
        Host = "localhost",
        Port = port,
        CaFile = Path.Combine(Certificates, "ca.crt"),
        CrlFile = Path.Combine(Certificates, "ca.crl"),
    };

    /// <summary>The agent's <c>Edge:Mqtt</c> settings for <paramref name="deviceId"/> over mTLS.</summary>
    public Dictionary<string, string?> AgentSettings(string deviceId) => new()
    {
        ["Edge:Mqtt:Url"] = string.Create(CultureInfo.InvariantCulture, $"mqtts://localhost:{DevicePort}"),
        ["Edge:Mqtt:AllowPlaintext"] = "false",
        ["Edge:Mqtt:CaFile"] = Path.Combine(Certificates, "ca.crt"),
        ["Edge:Mqtt:CrlFile"] = Path.Combine(Certificates, "ca.crl"),
        ["Edge:Mqtt:ClientCertificateFile"] = Path.Combine(Certificates, "devices", deviceId + ".crt"),
        ["Edge:Mqtt:ClientKeyFile"] = Path.Combine(Certificates, "devices", deviceId + ".key"),
    };

    /// <summary>Connects an MQTT 5 client with <paramref name="settings"/>; throws when the broker refuses.</summary>
    public static async Task<IMqttClient> ConnectAsync(MqttConnectionSettings settings, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = settings.ApplyTo(new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(5))).Build();
        try
        {
            var result = await client.ConnectAsync(options, TestContext.Current.CancellationToken);
            return result.ResultCode == MqttClientConnectResultCode.Success && client.IsConnected
                ? client
                : throw new MqttCommunicationException(
                    $"refused: {result.ResultCode} {result.ReasonString}, connected {client.IsConnected}");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    private string Render(int devicePort)
    {
        var conf = Path.Combine(_folder.FullName, "conf");
        RunAsync("bash", Path.Combine(Deploy, "render-config.sh"), "--out", conf, "--certs", Certificates,
            "--device-port", Invariant(devicePort), "--service-port", Invariant(ServicePort),
            "--password-port", Invariant(PasswordPort)).GetAwaiter().GetResult();
        RunAsync("mosquitto_passwd", "-b", Path.Combine(conf, "passwords"), PasswordDevice, DevicePassword)
            .GetAwaiter().GetResult();
        if (!OperatingSystem.IsWindows())
        {
            new DirectoryInfo(Path.Combine(conf, "data")).UnixFileMode = (UnixFileMode)0b111_111_111;
        }

        return Path.Combine(conf, "mosquitto.conf");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
