using System.Text.Json;

namespace Edge.Hosting.Observability;

/// <summary>
/// The one <c>/healthz</c> answer of agent and trainer (docs/observability.md): HTTP 200 when every check is
/// healthy, else 503, with the JSON body
/// <c>{"status":"healthy|degraded|unhealthy","service":"edge-agent","version":"…",
/// "checks":{"broker":{"status":…,"detail":…},…}}</c>,
/// whose status is its worst check's.
/// </summary>
/// <param name="Service">The service answering (<c>edge-agent</c>, <c>edge-trainer</c>).</param>
/// <param name="Checks">Every check, in the order they are reported.</param>
public sealed record ServiceHealth(string Service, IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>The worst status of the checks (healthy when there are none).</summary>
    public HealthStatus Status => Checks.Count == 0 ? HealthStatus.Healthy : Checks.Max(c => c.Status);

    /// <summary>True when every check is healthy: the HTTP status is then 200, else 503.</summary>
    public bool Healthy => Status == HealthStatus.Healthy;

    /// <summary>The UTF-8 JSON body.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", Name(Status));
            json.WriteString("service", Service);
            json.WriteString("version", BuildVersion.Informational);
            json.WriteStartObject("checks");
            foreach (var check in Checks)
            {
                json.WriteStartObject(check.Name);
                json.WriteString("status", Name(check.Status));
                json.WriteString("detail", check.Detail);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The lower-case name a status has in the JSON.</summary>
    public static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
