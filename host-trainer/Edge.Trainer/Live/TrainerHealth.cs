using System.Text.Json;

namespace Edge.Trainer.Live;

/// <summary>
/// The trainer's health as <c>/healthz</c> reports it: healthy while the ingest is connected to the broker and the
/// measurement store answers. <see cref="ToJson"/> is the response body.
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
    public static async Task<TrainerHealth> CheckAsync(MeasurementIngest ingest, MeasurementStore store, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ingest);
        ArgumentNullException.ThrowIfNull(store);
        var problem = await store.ProbeAsync(timeout, cancellationToken).ConfigureAwait(false) ?? (ingest.StoreProblem is { } failed ? $"last write failed: {failed}" : null);
        return new TrainerHealth(ingest.IsConnected, $"{ingest.Broker.Host}:{ingest.Broker.Port}", store.Dialect, problem);
    }

    /// <summary>
    /// The JSON body: <c>{"status":"healthy"|"unhealthy","broker":{"address":…,"connected":…},"store":{"dialect":…,"reachable":…,"problem":…}}</c>.
    /// </summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", Healthy ? "healthy" : "unhealthy");
            json.WriteStartObject("broker");
            json.WriteString("address", Broker);
            json.WriteBoolean("connected", BrokerConnected);
            json.WriteEndObject();
            json.WriteStartObject("store");
            json.WriteString("dialect", Store.ToString());
            json.WriteBoolean("reachable", StoreProblem is null);
            json.WriteString("problem", StoreProblem);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
