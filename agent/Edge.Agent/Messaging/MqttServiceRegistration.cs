using Edge.Agent.Hosting;
using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Edge.Hosting.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>Adds the MQTT link, its outbox, metrics and health endpoint to the agent's host.</summary>
public static class MqttServiceRegistration
{
    // Keys of earlier versions; the binder would silently ignore them (Host and Port are now read-only).
    private static readonly string[] ReplacedKeys = ["Host", "Port", "UseTls", "AllowUntrustedCertificates"];

    /// <summary>
    /// Binds and validates <c>Edge:Mqtt</c> and <c>Edge:Metrics</c>; when <c>Edge:Mqtt:Enabled</c> is true also
    /// registers the outbox, the message handler and the hosted MQTT service and metrics endpoint.
    /// A model store registers its own <see cref="IModelOfferHandler"/> and <see cref="IInferenceRequestHandler"/>;
    /// without
    /// one offers are rejected and inference requests answered, saying why.
    /// </summary>
    public static HostApplicationBuilder AddEdgeMqtt(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>();
        var section = builder.Configuration.GetSection(MqttOptions.SectionName);
        var replacedKeys = ReplacedKeys.Where(key => section[key] is not null).ToList();
        services.AddOptions<MqttOptions>()
            .Bind(section, binder => binder.ErrorOnUnknownConfiguration = true)
            .Validate(_ => replacedKeys.Count == 0, string.Join("; ", replacedKeys.Select(key =>
                $"{MqttOptions.SectionName}:{key}: replaced by Url (mqtts://host:port) with CaFile, "
                + "ClientCertificateFile and ClientKeyFile (deploy/mosquitto/README.md).")))
            .ValidateOnStart();
        services.AddEdgeMetricsOptions(builder.Configuration);
        if (!builder.Configuration.GetSection(MqttOptions.SectionName).GetValue<bool>(nameof(MqttOptions.Enabled)))
        {
            return builder;
        }

        services.TryAddSingleton<IModelOfferHandler, NoModelStoreOfferHandler>();
        services.TryAddSingleton<IInferenceRequestHandler>(sp
            => new NoModelInferenceHandler(sp.GetRequiredService<IPhysicalDevice>().DeviceId));
        services.TryAddSingleton<PartEnvironmentControl>();
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            return new SqliteOutbox(o.OutboxPath, o.OutboxMaxMessages, o.OutboxMaxBytes)
            {
                AckTimeout = TimeSpan.FromMilliseconds(o.MeasurementAckTimeoutMs),
                MaxAckTimeout = TimeSpan.FromMilliseconds(o.MeasurementAckMaxTimeoutMs),
                MeasurementWindow = o.MeasurementWindow,
            };
        });
        services.AddSingleton(sp =>
        {
            var device = sp.GetRequiredService<IPhysicalDevice>();
            return new MeasurementRecorder(
                device.Spec,
                device.DeviceId,
                sp.GetRequiredService<SqliteOutbox>(),
                sp.GetRequiredService<IOptions<MqttOptions>>().Value.MeasurementBatchSize);
        });
        // One sampler for served PAT drives and inference drives, so the host sees what the device does in the field.
        services.AddSingleton<IMeasurementTap>(sp => new MeasurementSampler(
            sp.GetRequiredService<MeasurementRecorder>(),
            sp.GetRequiredService<AgentMetrics>(),
            sp.GetRequiredService<IOptions<MqttOptions>>().Value.MeasurementSampleFraction,
            unchecked((int)NoiseSource.HashId(sp.GetRequiredService<IPhysicalDevice>().DeviceId))));
        services.AddSingleton(sp => new AgentMessageHandler(
            sp.GetRequiredService<DeviceGate>(),
            sp.GetRequiredService<SqliteOutbox>(),
            sp.GetRequiredService<IMeasurementTap>(),
            sp.GetRequiredService<IModelOfferHandler>(),
            sp.GetRequiredService<IInferenceRequestHandler>(),
            sp.GetRequiredService<AgentMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<AgentMessageHandler>(),
            sp.GetRequiredService<IOptions<MqttOptions>>().Value)
        {
            EnvironmentControl = sp.GetRequiredService<PartEnvironmentControl>(),
        });
        services.AddSingleton<InboundDispatcher>();
        services.AddSingleton<MqttAgentService>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttAgentService>());
        services.AddHostedService<MetricsEndpoint>();
        services.AddHostedService<Supervision.DeviceFaultReporter>();
        return builder;
    }
}
