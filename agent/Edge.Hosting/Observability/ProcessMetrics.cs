using System.Runtime.InteropServices;
using Prometheus;

namespace Edge.Hosting.Observability;

/// <summary>
/// The figures every Edge service exposes beside its own: prometheus-net's process and runtime collectors
/// (<c>process_working_set_bytes</c> — resident memory, the Pi's headline figure —
/// <c>process_cpu_seconds_total</c>,
/// <c>process_num_threads</c>, <c>dotnet_collection_count_total{generation}</c>, <c>dotnet_total_memory_bytes</c>, …)
/// and a <c>{service}_build_info{version,runtime,architecture} 1</c> series.
/// </summary>
public static class ProcessMetrics
{
    /// <summary>Adds the collectors and <paramref name="buildInfoName"/> to <paramref name="registry"/>.</summary>
    public static void Register(CollectorRegistry registry, string buildInfoName)
    {
        ArgumentNullException.ThrowIfNull(registry);
        DotNetStats.Register(registry);
        Metrics.WithCustomRegistry(registry)
            .CreateGauge(
                buildInfoName,
                "1, labelled with the running build's version, .NET runtime and process architecture.",
                new GaugeConfiguration { LabelNames = ["version", "runtime", "architecture"] })
            .WithLabels(
                BuildVersion.Informational,
                Environment.Version.ToString(),
                RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant())
            .Set(1);
    }
}
