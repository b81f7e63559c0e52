using Edge.Agent.Configuration;
using Edge.Agent.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Inference;

/// <summary>Adds the service's inference inputs: the watched folder and the MQTT request topic.</summary>
public static class InferenceServiceRegistration
{
    /// <summary>
    /// Binds and validates <c>Edge:Inference</c>. With a model store configured, registers the live inference path and
    /// the MQTT request handler (call before <see cref="MqttServiceRegistration.AddEdgeMqtt"/>), and the watched-folder
    /// service when <see cref="InferenceOptions.WatchDirectory"/> is set.
    /// </summary>
    public static HostApplicationBuilder AddEdgeInference(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddOptions<InferenceOptions>()
            .Bind(builder.Configuration.GetSection(InferenceOptions.SectionName),
                binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        // Raw keys, not Get<T>(): a value that does not convert must reach the validator (exit code 3), not throw here.
        if (string.IsNullOrWhiteSpace(
            builder.Configuration[$"{ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)}"]))
        {
            return builder;
        }

        services.AddSingleton<LiveInference>();
        services.AddSingleton<IInferenceRequestHandler, StoreInferenceHandler>();
        if (!string.IsNullOrWhiteSpace(
            builder.Configuration[$"{InferenceOptions.SectionName}:{nameof(InferenceOptions.WatchDirectory)}"]))
        {
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<WatchedDirectoryService>();
            services.AddHostedService(sp => sp.GetRequiredService<WatchedDirectoryService>());
        }

        return builder;
    }
}
