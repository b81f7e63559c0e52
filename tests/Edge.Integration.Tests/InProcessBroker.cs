using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Edge.Integration.Tests;

/// <summary>MQTTnet's own broker, in the test process.</summary>
public sealed class InProcessBroker : TestBroker
{
    private MqttServer? _server;

    public override string Name => "MQTTnet.Server";

    /// <summary>Topic filters this broker refuses to subscribe anyone to (SUBACK "not authorized").</summary>
    public HashSet<string> RefusedFilters { get; } = new(StringComparer.Ordinal);

    /// <summary>The client id of every connection the broker accepted, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ConnectedClientIds { get; } = new();

    public override async Task StartAsync()
    {
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).WithDefaultEndpointPort(Port).Build();
        _server = factory.CreateMqttServer(options);
        _server.ClientConnectedAsync += e =>
        {
            ConnectedClientIds.Enqueue(e.ClientId);
            return Task.CompletedTask;
        };
        _server.InterceptingSubscriptionAsync += e =>
        {
            if (RefusedFilters.Contains(e.TopicFilter.Topic))
            {
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            }

            return Task.CompletedTask;
        };
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
