namespace Edge.Agent.Messaging;

/// <summary>
/// A part of the agent that reports problems found while it runs (the model store: a full disk, a repaired state
/// file); the MQTT service publishes each on the device's <c>errors</c> topic.
/// </summary>
public interface IProblemSource
{
    /// <summary>
    /// What reports (<c>agent/model-store</c>): the <see cref="Edge.Domain.Messaging.ErrorMessage.Topic"/> of its
    /// alerts.
    /// </summary>
    string Component { get; }

    /// <summary>The problems reported so far (including those found before anybody listened), oldest first.</summary>
    IReadOnlyList<string> Problems { get; }

    /// <summary>Raised once per problem, naming it.</summary>
    event Action<string>? ProblemReported;
}
