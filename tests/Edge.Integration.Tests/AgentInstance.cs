using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Integration.Tests;

/// <summary>The real agent host (AgentHost + AddEdgeMqtt) running in the test process against a test broker.</summary>
public sealed class AgentInstance : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private AgentInstance(IHost host) => _host = host;

    public const string System = "electronic";

    public IServiceProvider Services => _host.Services;

    public MqttAgentService Mqtt => Services.GetRequiredService<MqttAgentService>();

    public SqliteOutbox Outbox => Services.GetRequiredService<SqliteOutbox>();

    public MeasurementRecorder Recorder => Services.GetRequiredService<MeasurementRecorder>();

    public AgentMetrics Metrics => Services.GetRequiredService<AgentMetrics>();

    /// <summary>
    /// Starts an agent; <paramref name="asService"/> composes it as <c>edge-agent run</c> does (device host, model
    /// store, inference, supervision) instead of the MQTT link alone.
    /// </summary>
    public static async Task<AgentInstance> StartAsync(
        int port,
        string deviceId,
        string outboxPath,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null,
        bool waitConnected = true,
        bool asService = false)
    {
        var config = new Dictionary<string, string?>
        {
            ["Edge:Device:System"] = System,
            ["Edge:Device:DeviceId"] = deviceId,
            ["Edge:Device:Seed"] = "7",
            ["Edge:Mqtt:Enabled"] = "true",
            ["Edge:Mqtt:Url"] = $"mqtt://127.0.0.1:{port}",
            ["Edge:Mqtt:AllowPlaintext"] = "true",
            ["Edge:Mqtt:OutboxPath"] = outboxPath,
            ["Edge:Mqtt:ReconnectMinDelayMs"] = "50",
            ["Edge:Mqtt:ReconnectMaxDelayMs"] = "400",
            ["Edge:Mqtt:MeasurementSampleFraction"] = "0",
            ["Edge:Mqtt:MeasurementFlushMs"] = "50",
            ["Edge:Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var builder = AgentHost.CreateBuilder(new AgentSettingsSources(null, new Dictionary<string, string?>()),
            config);
        configure?.Invoke(builder.Services);
        if (asService)
        {
            builder.AddEdgeAgentService();
        }
        else
        {
            builder.AddEdgeMqtt();
        }

        var host = builder.Build();
        AgentHost.ValidateConfiguration(host);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var agent = new AgentInstance(host);
        if (waitConnected)
        {
            await agent.WaitConnectedAsync();
        }

        return agent;
    }

    public async Task WaitConnectedAsync()
        => await Eventually.TrueAsync(() => Mqtt.IsConnected, "agent connected to the broker");

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
