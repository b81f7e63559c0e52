using MQTTnet.Server;

namespace Edge.Integration.Tests;

/// <summary>MQTTnet's own broker, in the test process.</summary>
public sealed class InProcessBroker : TestBroker
{
    private MqttServer? _server;

    public override string Name => "MQTTnet.Server";

    public override async Task StartAsync()
    {
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).WithDefaultEndpointPort(Port).Build();
        _server = factory.CreateMqttServer(options);
        await _server.StartAsync();
    }

    public override async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            _server.Dispose();
            _server = null;
        }
    }
}
