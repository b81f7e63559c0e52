using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Hosting.Observability;

/// <summary>Binds <see cref="MetricsOptions"/> from <c>Edge:Metrics</c>, checked when the host starts.</summary>
public static class MetricsOptionsRegistration
{
    /// <summary>Adds the validated options to <paramref name="services"/>.</summary>
    public static IServiceCollection AddEdgeMetricsOptions(
        this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MetricsOptions>()
            .Bind(
                configuration.GetSection(MetricsOptions.SectionName),
                binder => binder.ErrorOnUnknownConfiguration = true)
            .Validate(
                o => o.Port is >= 0 and <= 65535,
                $"{MetricsOptions.SectionName}:{nameof(MetricsOptions.Port)}: must be 0 (off) or a TCP port 1..65535.")
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.Host),
                $"{MetricsOptions.SectionName}:{nameof(MetricsOptions.Host)}: must name an address, a host or + / *.")
            .ValidateOnStart();
        return services;
    }
}
