using System.CommandLine;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Inference;
using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Agent.Commands;

/// <summary>
/// <c>edge-agent run</c>: runs the agent as a service until SIGTERM or Ctrl+C (under systemd as <c>Type=notify</c>,
/// reporting ready once the device answered its self-test).
/// </summary>
public static class RunCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var command = new Command("run", "Run the agent as a service hosting the configured device until stopped.");
        command.SetAction((parseResult, cancellationToken) => commandLine.WithHostAsync(
            parseResult,
            async (host, token) =>
            {
                await host.RunAsync(token).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken,
            AddRunServices));
        return command;
    }

    /// <summary>The services of <c>run</c>: the device host, model offers and inference inputs when a store is configured, and MQTT.</summary>
    internal static void AddRunServices(HostApplicationBuilder builder)
    {
        // Hosted services stop in reverse order: the device host, added first, parks the DAC after everything that drives it has stopped.
        builder.Services.AddHostedService<DeviceHostService>();

        // With a model store configured, offers over MQTT are verified, validated and installed there.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)}"]))
        {
            builder.Services.AddSingleton<IModelOfferHandler, ModelStoreOfferHandler>();
        }

        builder.AddEdgeInference();
        builder.AddEdgeMqtt();

        // Last: by the time it starts, the device answered its self-test and the model store has loaded the model.
        builder.Services.AddHostedService<MemoryTrimService>();
    }
}
