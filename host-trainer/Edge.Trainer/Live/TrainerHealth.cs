using Edge.Hosting.Observability;

namespace Edge.Trainer.Live;

/// <summary>
/// The trainer's health as <c>/healthz</c> reports it: healthy while the ingest is connected to the broker and the
/// measurement store answers. <see cref="Report"/> is the response.
/// </summary>
/// <param name="BrokerConnected">The ingest holds a connection to the broker.</param>
/// <param name="Broker">The broker's address.</param>
/// <param name="Store">Which database the store is.</param>
/// <param name="StoreProblem">Why the store does not answer (or why its last write failed); null when it works.</param>
public sealed record TrainerHealth(bool BrokerConnected, string Broker, StoreDialect Store, string? StoreProblem)
{
    /// <summary>True when both the broker link and the store work.</summary>
    public bool Healthy => BrokerConnected && StoreProblem is null;

    /// <summary>Checks the ingest's broker link and probes the store (at most <paramref name="timeout"/>).</summary>
    public static async Task<TrainerHealth> CheckAsync(MeasurementIngest ingest, MeasurementStore store,
        TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ingest);
        ArgumentNullException.ThrowIfNull(store);
        var problem = await store.ProbeAsync(timeout, cancellationToken).ConfigureAwait(false)
            ?? (ingest.StoreProblem is { } failed ? $"last write failed: {failed}" : null);
        return new TrainerHealth(ingest.IsConnected, $"{ingest.Broker.Host}:{ingest.Broker.Port}", store.Dialect,
            problem);
    }

    /// <summary>
    /// The <c>/healthz</c> report (the shape agent and trainer share): the checks <c>broker</c> (unhealthy while not
    /// connected) and <c>store</c> (unhealthy while it does not answer or its last write failed).
    /// </summary>
    public ServiceHealth Report() => new(
        "edge-trainer",
        [
            new HealthCheck(
                "broker",
                BrokerConnected ? HealthStatus.Healthy : HealthStatus.Unhealthy,
                BrokerConnected ? $"connected to {Broker}" : $"not connected to {Broker}"),
            new HealthCheck(
                "store",
                StoreProblem is null ? HealthStatus.Healthy : HealthStatus.Unhealthy,
                StoreProblem is null ? $"{Store} answers" : $"{Store}: {StoreProblem}"),
        ]);
}
