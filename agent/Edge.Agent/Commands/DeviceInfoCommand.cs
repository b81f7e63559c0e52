using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Commands;

/// <summary><c>edge-agent device info</c>: prints the configured device's id, system and layer spec as one JSON
/// object.</summary>
public static class DeviceInfoCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Creates the verb.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var command = new Command("info", "Print the configured device's id, system and layer spec (JSON).");
        command.SetAction((parseResult, cancellationToken) => commandLine.WithHostAsync(
            parseResult,
            async (host, _) =>
            {
                var device = host.Services.GetRequiredService<IPhysicalDevice>();
                var system = host.Services.GetRequiredService<IPhysicalSystem>();
                await parseResult.InvocationConfiguration.Output.WriteLineAsync(Describe(device, system))
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    /// <summary>A device status as JSON: <c>ready</c>, <c>state</c>, <c>problem</c> and the measured figures.</summary>
    public static JsonObject StatusJson(DeviceStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var figures = new JsonObject();
        foreach (var (name, value) in status.Figures)
        {
            figures[name] = value;
        }

        return new JsonObject
        {
            ["ready"] = status.Ready,
            ["state"] = status.State,
            ["problem"] = status.Problem,
            ["figures"] = figures,
        };
    }

    /// <summary>
    /// The JSON document the verb prints: <c>deviceId</c>, <c>system</c> and <c>spec</c> (as <c>LayerSpec.ToJson</c>
    /// writes it), and <c>status</c> for backends that report one (the bridge's link, the direct backend's timing).
    /// </summary>
    public static string Describe(IPhysicalDevice device, IPhysicalSystem system)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(system);
        var document = new JsonObject
        {
            ["deviceId"] = device.DeviceId,
            ["system"] = system.Name,
            ["spec"] = JsonNode.Parse(device.Spec.ToJson()),
        };
        if (device is IReportsDeviceStatus reporting)
        {
            document["status"] = StatusJson(reporting.GetStatus());
        }

        return document.ToJsonString(Indented);
    }
}
