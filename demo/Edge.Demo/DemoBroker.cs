using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Mqtt;
using Edge.Trainer.Live;
using MQTTnet.Server;

namespace Edge.Demo;

/// <summary>
/// The broker of the demo: MQTTnet's own, in this process on a free loopback port (plaintext, a lab by
/// definition), unless a real one is named — then with the CA and client certificates of make-certs.sh.
/// </summary>
internal sealed class DemoBroker : IAsyncDisposable
{
    private readonly MqttServer? _server;
    private readonly BrokerOptions _trainer;
    private readonly MqttBrokerAddress _devices;
    private readonly string? _certificates;

    private DemoBroker(
        BrokerOptions trainer, MqttBrokerAddress devices, string? certificates, MqttServer? server, string description)
    {
        (_trainer, _devices, _certificates, _server) = (trainer, devices, certificates, server);
        Description = description;
    }

    public string Description { get; }

    /// <summary>
    /// Starts MQTTnet.Server when <see cref="DemoSettings.Broker"/> is null, else checks the named broker's settings
    /// (throws <see cref="ArgumentException"/> naming the option at fault).
    /// </summary>
    public static async Task<DemoBroker> StartAsync(DemoSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Broker is not null)
        {
            return Named(settings);
        }

        var port = FreePort();
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .Build();
        var server = factory.CreateMqttServer(options);
        await server.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var address = new MqttBrokerAddress("127.0.0.1", port, UseTls: false);
        var trainer = new BrokerOptions { Host = address.Host, Port = port, UseTls = false, AllowPlaintext = true };
        return new DemoBroker(trainer, address, null, server, $"MQTTnet.Server in process, {address}");
    }

    /// <summary>Trainer-side connection settings with <paramref name="clientId"/>.</summary>
    public BrokerOptions Client(string clientId) => _trainer with { ClientId = clientId };

    /// <summary>
    /// The <c>Edge:Mqtt</c> keys (without the section) that connect agent <paramref name="deviceId"/>.
    /// </summary>
    public IEnumerable<(string Key, string Value)> AgentConfiguration(string deviceId)
    {
        yield return ("Url", _devices.ToString());
        yield return ("AllowPlaintext", _trainer.AllowPlaintext.ToString(CultureInfo.InvariantCulture));
        if (_certificates is null)
        {
            yield break;
        }

        yield return ("CaFile", Path.Combine(_certificates, "ca.crt"));
        yield return ("CrlFile", Path.Combine(_certificates, "ca.crl"));
        yield return ("ClientCertificateFile", Path.Combine(_certificates, "devices", deviceId + ".crt"));
        yield return ("ClientKeyFile", Path.Combine(_certificates, "devices", deviceId + ".key"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
            _server.Dispose();
        }
    }

    private static DemoBroker Named(DemoSettings settings)
    {
        var trainer = Parse("--broker", settings.Broker!);
        var devices = settings.DeviceBroker is null ? trainer : Parse("--device-broker", settings.DeviceBroker);
        var options = new BrokerOptions
        {
            Host = trainer.Host,
            Port = trainer.Port,
            UseTls = trainer.UseTls,
            AllowPlaintext = settings.AllowPlaintext,
        };
        if (settings.Certificates is { } folder)
        {
            options = options with
            {
                CaFile = Path.Combine(folder, "ca.crt"),
                CrlFile = Path.Combine(folder, "ca.crl"),
                ClientCertificateFile = Path.Combine(folder, "services", "trainer.crt"),
                ClientKeyFile = Path.Combine(folder, "services", "trainer.key"),
            };
        }

        var problems = options.Validate();
        if (problems.Count > 0)
        {
            var named = problems.Select(p => $"{(p.Key == "Url" ? "--broker" : "--certs")}: {p.Problem}");
            throw new ArgumentException(string.Join(" ", named));
        }

        return new DemoBroker(options, devices, settings.Certificates, null, $"{trainer} (agents: {devices})");
    }

    private static MqttBrokerAddress Parse(string option, string url) =>
        MqttBrokerAddress.TryParse(url, out var address, out var problem)
            ? address
            : throw new ArgumentException($"{option} {problem}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
