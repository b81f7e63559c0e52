using System.Globalization;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Models;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Demo;

/// <summary>
/// N edge agents, each the real agent host (device, model store, MQTT link, outbox) in this process with its own
/// device id, part (part-to-part spread follows from the id), store folder and outbox — as N Raspberry Pis would be.
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    private SimulatedFleet()
    {
    }

    public IReadOnlyList<FleetAgent> Agents { get; private set; } = [];

    public static async Task<SimulatedFleet> StartAsync(DemoBroker broker, DemoSettings settings, string publicKeyPath,
        string calibrationPath, CancellationToken cancellationToken)
    {
        var fleet = new SimulatedFleet();
        var agents = new List<FleetAgent>();
        try
        {
            for (var i = 1; i <= settings.Agents; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"edge-sim-{i:00}");
                var folder = Path.Combine(settings.Output, "agents", id);
                Directory.CreateDirectory(folder);
                var config = new Dictionary<string, string?>
                {
                    ["Edge:Device:System"] = settings.System,
                    ["Edge:Device:DeviceId"] = id,
                    ["Edge:Device:Seed"] = i.ToString(CultureInfo.InvariantCulture),
                    ["Edge:Mqtt:Enabled"] = "true",
                    ["Edge:Mqtt:OutboxPath"] = Path.Combine(folder, "outbox.db"),
                    ["Edge:Mqtt:MeasurementSampleFraction"] =
                        settings.SampleFraction.ToString(CultureInfo.InvariantCulture),
                    ["Edge:Mqtt:MeasurementFlushMs"] = "200",
                    ["Edge:Models:StoreDirectory"] = Path.Combine(folder, "models"),
                    ["Edge:Models:PublicKeyPath"] = publicKeyPath,
                    ["Edge:Models:CalibrationSetPath"] = calibrationPath,
                    // The demo's watch judges drift by the twin residual from first to last round. A calibration probe
                    // (every 60 s by default) would make the agent publish a live accuracy, and from then on the
                    // trainer waits four probe rounds for an accuracy reference: on a slow machine that silenced the
                    // watch mid-demo. The field-update bench and the walkthrough tests cover the accuracy path.
                    ["Edge:Models:CalibrationProbeSeconds"] = "0",
                    ["Edge:Logging:LogLevel:Default"] = "Warning",
                };
                foreach (var (key, value) in broker.AgentConfiguration(id))
                {
                    config["Edge:Mqtt:" + key] = value;
                }

                var builder = AgentHost.CreateBuilder(new AgentSettingsSources(null, new Dictionary<string, string?>()),
                    config);
                builder.AddEdgeAgentService();
                var host = builder.Build();
                AgentHost.ValidateConfiguration(host);
                fleet._hosts.Add(host);
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                agents.Add(new FleetAgent(id, host.Services));
            }
        }
        catch
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        fleet.Agents = agents;
        return fleet;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            finally
            {
                host.Dispose();
            }
        }

        _hosts.Clear();
    }
}

/// <summary>One agent of the fleet: its id, its model store (what classifies the agent's input) and its part.</summary>
internal sealed class FleetAgent(string deviceId, IServiceProvider services)
{
    public string DeviceId { get; } = deviceId;

    public ModelStore Models => services.GetRequiredService<ModelStore>();

    /// <summary>The simulated part, so the demo can warm its surroundings (what a hot day does to a real
    /// circuit).</summary>
    public SimulatedDevice Part => services.GetRequiredService<IPhysicalDevice>() as SimulatedDevice
        ?? throw new InvalidOperationException($"Agent {DeviceId} does not host a simulated device.");
}
