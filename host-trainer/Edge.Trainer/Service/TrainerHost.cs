using Edge.Hosting.Configuration;
using Edge.Hosting.Observability;
using Edge.Hosting.Systemd;
using Edge.Trainer.Live;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Trainer.Service;

/// <summary>
/// <c>edge-trainer serve</c> as a Generic Host service, like the agent: configuration from <c>edge-trainer.json</c>
/// beside the binary, then <c>EDGE_</c> environment variables, then the command line (highest); options validated at
/// start with every problem named by its key; under systemd <c>Type=notify</c> with watchdog pings.
/// </summary>
public static class TrainerHost
{
    /// <summary>
    /// The settings file beside the executable: the agent's <c>appsettings.json</c> for the trainer, named apart
    /// because
    /// tests and the demo run both executables from one folder.
    /// </summary>
    public const string SettingsFileName = "edge-trainer.json";

    /// <summary>Configuration section that configures logging (levels under <c>LogLevel</c>).</summary>
    public const string LoggingSectionName = "Edge:Logging";

    /// <summary>The sections under <c>Edge</c> the trainer reads, and the options class of each.</summary>
    public static IReadOnlyList<EdgeSection> Sections { get; } =
    [
        new(TrainerMqttOptions.SectionName, typeof(TrainerMqttOptions)),
        new(StoreOptions.SectionName, typeof(StoreOptions)),
        new(MetricsOptions.SectionName, typeof(MetricsOptions)),
        new(FieldUpdateSettings.SectionName, typeof(FieldUpdateSettings)),
        new(CommissionSettings.SectionName, typeof(CommissionSettings)),
        new(LoggingSectionName, null),
    ];

    /// <summary>
    /// The host of <c>serve</c>: <paramref name="settingsFile"/> (may be missing), the <c>EDGE_</c> entries of
    /// <paramref name="environment"/>, then <paramref name="commandLine"/>.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(
        string? settingsFile,
        IReadOnlyDictionary<string, string?> environment,
        IEnumerable<KeyValuePair<string, string?>> commandLine)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "edge-trainer",
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (settingsFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(settingsFile), optional: true, reloadOnChange: false);
        }

        builder.Configuration.AddInMemoryCollection(EdgeEnvironment.ConfigurationKeys(environment));
        builder.Configuration.AddInMemoryCollection(commandLine);

        // Under systemd: Type=notify (READY=1 once every service started) and journald priority prefixes.
        builder.Services.AddSystemd();
        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection(LoggingSectionName));
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);

        var services = builder.Services;
        services.AddEdgeMetricsOptions(builder.Configuration);
        Bind<StoreOptions>(services, builder.Configuration, StoreOptions.SectionName)
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.Connection),
                $"{StoreOptions.SectionName}:{nameof(StoreOptions.Connection)}: must not be empty.");
        Bind<TrainerMqttOptions>(services, builder.Configuration, TrainerMqttOptions.SectionName);
        Bind<FieldUpdateSettings>(services, builder.Configuration, FieldUpdateSettings.SectionName);
        Bind<CommissionSettings>(services, builder.Configuration, CommissionSettings.SectionName);
        services.AddSingleton<IValidateOptions<TrainerMqttOptions>, TrainerOptionsValidator>();
        services.AddSingleton<IValidateOptions<FieldUpdateSettings>, TrainerOptionsValidator>();
        services.AddSingleton<IValidateOptions<CommissionSettings>, CommissionSettingsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TrainerMetrics>();
        services.AddSingleton<IngestService>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestService>());
        if (SystemdWatchdogSettings.FromEnvironment() is { } watchdog)
        {
            services.AddSingleton(watchdog);
            services.AddHostedService(sp => new SystemdWatchdog(
                sp.GetRequiredService<IngestService>().Stuck,
                watchdog,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SystemdWatchdog>>()));
        }

        return builder;
    }

    /// <summary>Every problem of the host's configuration, each naming its key; empty when it can start.</summary>
    public static List<string> Problems(IHost host) => EdgeConfigurationCheck.Validate(host, Sections);

    private static OptionsBuilder<T> Bind<T>(
        IServiceCollection services, ConfigurationManager configuration, string section)
        where T : class
        => services.AddOptions<T>()
            .Bind(configuration.GetSection(section), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
}
