namespace Edge.Hosting.Observability;

/// <summary>How well one part of a service works, worst last.</summary>
public enum HealthStatus
{
    /// <summary>It works.</summary>
    Healthy,

    /// <summary>It works in part (answers, but something is lost or refused); the service still serves.</summary>
    Degraded,

    /// <summary>It does not work; the service cannot do its job.</summary>
    Unhealthy,
}

/// <summary>One named check of a <see cref="ServiceHealth"/> report.</summary>
/// <param name="Name">What was checked: <c>broker</c>, <c>device</c>, <c>delivery</c>, <c>store</c>, …</param>
/// <param name="Status">Its state.</param>
/// <param name="Detail">What was found, for a person: the address, the problem.</param>
public sealed record HealthCheck(string Name, HealthStatus Status, string Detail);
