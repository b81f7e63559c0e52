namespace Edge.Agent.Messaging;

/// <summary>The version of the model serving classifications, for the agent's retained status.</summary>
public interface IActiveModelSource
{
    /// <summary>The active model's version, or null when none is active.</summary>
    int? ActiveVersion { get; }

    /// <summary>Raised after the active model changed (install, rollback, automatic rollback).</summary>
    event Action? ActiveChanged;
}
