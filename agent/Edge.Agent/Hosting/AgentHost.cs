using Edge.Agent.Configuration;
using Edge.Agent.Inference;
using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Edge.Agent.Supervision;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;
using Edge.Hosting.Configuration;
using Edge.Hosting.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Hosting;

/// <summary>Composes the agent's generic host: configuration sources, validated options, logging and the hosted
/// device.</summary>
public static class AgentHost
{
    /// <summary>Configuration section that configures logging (levels under <c>LogLevel</c>, the console under
    /// <c>Console</c>).</summary>
    public const string LoggingSectionName = "Edge:Logging";

    /// <summary>The sections under <c>Edge</c> the agent reads, and the options class each binds to.</summary>
    public static IReadOnlyList<EdgeSection> Sections { get; } =
    [
        new(DeviceOptions.SectionName, typeof(DeviceOptions)),
        new(InferenceOptions.SectionName, typeof(InferenceOptions)),
        new(LoggingSectionName, null),
        new(MetricsOptions.SectionName, typeof(MetricsOptions)),
        new(ModelsOptions.SectionName, typeof(ModelsOptions)),
        new(MqttOptions.SectionName, typeof(MqttOptions)),
        new(SupervisionOptions.SectionName, typeof(SupervisionOptions)),
    ];

    /// <summary>
    /// Creates a host builder whose configuration is, lowest priority first, <paramref name="sources"/>' settings file,
    /// its <c>EDGE_</c> environment variables, then <paramref name="commandLine"/>.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(AgentSettingsSources
        sources, IEnumerable<KeyValuePair<string, string?>> commandLine)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "edge-agent",
            ContentRootPath = AppContext.BaseDirectory,
        });

        if (sources.SettingsFile is not null)
        {
            // Watched so a simulated part's Edge:Device:Environment applies on save; every other option is read once.
            builder.Configuration.AddJsonFile(
                Path.GetFullPath(sources.SettingsFile), optional: true, reloadOnChange: true);
        }

        builder.Configuration.AddInMemoryCollection(sources.EdgeEnvironmentKeys());
        builder.Configuration.AddInMemoryCollection(commandLine);

        // Under systemd this switches the lifetime to Type=notify and the console to journald's priority prefixes.
        builder.Services.AddSystemd();
        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection(LoggingSectionName));
        // Logs go to stderr so stdout carries only command output (spec JSON, response CSV).
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.Services.AddSingleton<IValidateOptions<DeviceOptions>, DeviceOptionsValidator>();
        builder.Services.AddOptions<DeviceOptions>()
            .Bind(builder.Configuration.GetSection(DeviceOptions.SectionName),
                binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ModelsOptions>, ModelsOptionsValidator>();
        builder.Services.AddOptions<ModelsOptions>()
            .Bind(builder.Configuration.GetSection(ModelsOptions.SectionName),
                binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConsoleLogFormatOptions>, ConsoleLogFormatOptionsValidator>();
        builder.Services.AddOptions<ConsoleLogFormatOptions>()
            .Bind(builder.Configuration.GetSection(ConsoleLogFormatOptions.SectionName))
            .ValidateOnStart();

        builder.Services.AddSingleton(services
            => PhysicalSystems.Get(services.GetRequiredService<IOptions<DeviceOptions>>().Value.System));
        builder.Services.AddSingleton<IPhysicalDevice>(services =>
        {
            var options = services.GetRequiredService<IOptions<DeviceOptions>>().Value;
            var system = services.GetRequiredService<IPhysicalSystem>();
            return options.Backend.ToLowerInvariant() switch
            {
                DeviceBackends.Direct => DirectBackendFactory.CreateOnHardware(system, options),
                DeviceBackends.Emulated => DirectBackendFactory.CreateEmulated(system, options),
                DeviceBackends.Bridge => BridgeBackendFactory.Create(
                    system, options, services.GetService<ILoggerFactory>()),
                _ => FieldProfiles.CreateDevice(
                    system, options.DeviceId, options.Seed, DeviceProfiles.Parse(options.Profile)),
            };
        });
        builder.Services.AddSingleton<IValidateOptions<SupervisionOptions>, SupervisionOptionsValidator>();
        builder.Services.AddOptions<SupervisionOptions>()
            .Bind(
                builder.Configuration.GetSection(SupervisionOptions.SectionName),
                binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        // The supervisor parks a failing device (safe outputs, twin fallback) and probes it until it answers again.
        builder.Services.AddSingleton(services => new DeviceSupervisor(
            services.GetRequiredService<IPhysicalDevice>(),
            services.GetRequiredService<IOptions<SupervisionOptions>>().Value,
            TimeProvider.System,
            services.GetRequiredService<ILogger<DeviceSupervisor>>()));
        // Inference, the model store and PAT share the one device through the gate, inference first.
        builder.Services.AddSingleton(services => new DeviceGate(services.GetRequiredService<DeviceSupervisor>()));
        // Opened on first use (throws ModelStoreException when Edge:Models is not configured); the container disposes
        // it.
        builder.Services.AddSingleton(services => ModelStore.Open(
            services.GetRequiredService<IOptions<ModelsOptions>>().Value,
            services.GetRequiredService<DeviceGate>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<ModelStore>(),
            tap: services.GetService<IMeasurementTap>()));
        return builder;
    }

    /// <summary>
    /// Binds and validates every option now, as starting the host would; throws <see
    /// cref="AgentConfigurationException"/>
    /// with every problem, each naming its configuration key.
    /// </summary>
    public static void ValidateConfiguration(IHost host)
    {
        var failures = EdgeConfigurationCheck.Validate(host, Sections);
        if (failures.Count > 0)
        {
            throw new AgentConfigurationException(failures);
        }
    }
}
