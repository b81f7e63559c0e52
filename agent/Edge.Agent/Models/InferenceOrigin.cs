namespace Edge.Agent.Models;

/// <summary>Where a classification came from, which decides whether it may judge the active model's health.</summary>
public enum InferenceOrigin
{
    /// <summary>
    /// The agent's own traffic (the watched folder, live capture, the CLI): feeds the health window that drives
    /// automatic rollback.
    /// </summary>
    Local,

    /// <summary>
    /// A request over MQTT. MQTT does not say who published it (a response topic can name anyone), so a remote
    /// requester could flood the window with ambiguous inputs and force a rollback: remote classifications are served
    /// but never judge the model.
    /// </summary>
    Remote,
}
