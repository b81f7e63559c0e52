using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Commands;

/// <summary><c>edge-agent device info</c>: prints the configured device's id, system and layer spec as one JSON object.</summary>
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
                await parseResult.InvocationConfiguration.Output.WriteLineAsync(Describe(device, system)).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    /// <summary>The JSON document the verb prints: <c>deviceId</c>, <c>system</c> and <c>spec</c> (as <c>LayerSpec.ToJson</c> writes it).</summary>
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
        return document.ToJsonString(Indented);
    }
}
