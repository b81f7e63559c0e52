namespace Edge.Agent.Messaging;

/// <summary>The version of the model serving classifications, for the agent's retained status.</summary>
public interface IActiveModelSource
{
    /// <summary>The active model's version, or null when none is active.</summary>
    int? ActiveVersion { get; }

    /// <summary>Raised after the active model changed (install, rollback, automatic rollback).</summary>
    event Action? ActiveChanged;

    /// <summary>
    /// The active model's live accuracy on the calibration set (mean of the recent calibration probe rounds), or null
    /// before the first round of the active model.
    /// </summary>
    double? LiveAccuracy => null;

    /// <summary>
    /// Probe rounds averaged into <see cref="LiveAccuracy"/> (the window restarts at each activation), or null with it.
    /// </summary>
    int? LiveAccuracyRounds => null;

    /// <summary>
    /// How far the classes the active model predicted on recent local traffic are from the calibration set's class mix
    /// (total variation distance, 0..1; a label-free drift signal), or null before enough answers.
    /// </summary>
    double? ClassShift => null;

    /// <summary>Raised after a calibration probe round gave a new live accuracy.</summary>
    event Action? LiveAccuracyChanged
    {
        add { }
        remove { }
    }
}
