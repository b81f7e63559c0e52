using Edge.Agent.Configuration;
using Edge.Agent.Inference;
using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Edge.Agent.Supervision;
using Edge.Hosting.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Hosting;

/// <summary>The services of a running agent, shared by <c>edge-agent run</c> and hosts that embed agents (the
/// demo).</summary>
public static class AgentServiceRegistration
{
    /// <summary>
    /// Adds the device host (self-test, safe outputs on stop), the model store's offer handler and inference inputs
    /// when <c>Edge:Models</c> is configured, the MQTT link (<see cref="MqttServiceRegistration.AddEdgeMqtt"/>) and the
    /// memory trim.
    /// </summary>
    public static HostApplicationBuilder AddEdgeAgentService(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Hosted services stop in reverse order: the device host, added first, parks the DAC after everything that
        // drives it has stopped.
        builder.Services.AddHostedService<DeviceHostService>();
        builder.Services.TryAddSingleton<PartEnvironmentControl>();
        builder.Services.AddHostedService<PartEnvironmentReloadService>();

        // With a model store configured, offers over MQTT are verified, validated and installed there. Read as a raw
        // string: binding the whole section here would throw on a bad value before validation can name its key.
        if (!string.IsNullOrWhiteSpace(
            builder.Configuration[$"{ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)}"]))
        {
            builder.Services.AddSingleton<IModelOfferHandler, ModelStoreOfferHandler>();
            builder.Services.AddSingleton<IActiveModelSource>(services => services.GetRequiredService<ModelStore>());
            builder.Services.AddSingleton<IProblemSource>(services => services.GetRequiredService<ModelStore>());
            builder.Services.AddHostedService<CalibrationProbeService>();
        }

        builder.AddEdgeInference();
        builder.AddEdgeMqtt();

        // Under systemd with WatchdogSec=, pings go out while the device loop is alive.
        if (SystemdWatchdogSettings.FromEnvironment() is { } watchdog)
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddHostedService(services => new SystemdWatchdog(
                services.GetRequiredService<DeviceSupervisor>().Hang,
                watchdog,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<SystemdWatchdog>>()));
        }

        // Last: by the time it starts, the device answered its self-test and the model store has loaded the model.
        builder.Services.AddHostedService<MemoryTrimService>();
        return builder;
    }
}
