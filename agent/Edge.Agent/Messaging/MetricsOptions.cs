namespace Edge.Agent.Messaging;

/// <summary>The agent's metrics and health endpoint, bound from <c>Edge:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Metrics";

    /// <summary>TCP port of the HTTP endpoint serving <c>/metrics</c> (Prometheus) and <c>/healthz</c>; 0 turns it off.</summary>
    public int Port { get; set; }

    /// <summary>Host name the endpoint binds ("localhost", or "+" for every interface).</summary>
    public string Host { get; set; } = "localhost";
}
