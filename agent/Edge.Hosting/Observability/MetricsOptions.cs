namespace Edge.Hosting.Observability;

/// <summary>The metrics and health endpoint of agent and trainer, bound from <c>Edge:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Metrics";

    /// <summary>
    /// TCP port of the HTTP endpoint serving <c>/metrics</c> (Prometheus) and <c>/healthz</c>; 0 turns it off.
    /// </summary>
    public int Port { get; set; }

    /// <summary>
    /// Address the endpoint binds: a host name (every address it resolves to; "localhost" = both loopbacks), an IP
    /// address, or "+" / "*" for every interface. Requests are answered whatever their Host header says.
    /// </summary>
    public string Host { get; set; } = "localhost";
}
