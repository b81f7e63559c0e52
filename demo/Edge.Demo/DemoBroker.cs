using System.Net;
using System.Net.Sockets;
using Edge.Trainer.Live;
using MQTTnet.Server;

namespace Edge.Demo;

/// <summary>The broker of the demo: MQTTnet's own, in this process on a free loopback port, unless a real one is named.</summary>
internal sealed class DemoBroker : IAsyncDisposable
{
    private readonly MqttServer? _server;

    private DemoBroker(string host, int port, MqttServer? server, string description)
    {
        (Host, Port, _server, Description) = (host, port, server, description);
    }

    public string Host { get; }

    public int Port { get; }

    public string Description { get; }

    /// <summary>Starts MQTTnet.Server when <paramref name="broker"/> is null, else checks the named broker's address.</summary>
    public static async Task<DemoBroker> StartAsync(string? broker, CancellationToken cancellationToken)
    {
        if (broker is not null)
        {
            var named = BrokerOptions.Parse(broker, "edge-demo");
            return new DemoBroker(named.Host, named.Port, null, $"mqtt://{named.Host}:{named.Port}");
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
        return new DemoBroker("127.0.0.1", port, server, $"MQTTnet.Server in process, mqtt://127.0.0.1:{port}");
    }

    public BrokerOptions Client(string clientId) => new() { Host = Host, Port = Port, ClientId = clientId };

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
            _server.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
