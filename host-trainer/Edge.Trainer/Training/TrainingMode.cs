namespace Edge.Trainer.Training;

/// <summary>How gradients reach the physical parameters.</summary>
public enum TrainingMode
{
    /// <summary>Forward and backward through the twin; the device is used only to evaluate.</summary>
    InSilico,

    /// <summary>Physics-aware training: device forward, twin VJP backward at the drives actually played.</summary>
    Pat,

    /// <summary>Device forward, exact gradients of the simulated physics (noise-free) backward: the upper bound.</summary>
    Ideal,

    /// <summary>PAT whose twin is fine-tuned online on the (drive, response) pairs PAT's device passes produce.</summary>
    PatRefine,

    /// <summary>No physical layer: a digital tanh network with the hybrid's parameter count, the comparison baseline.</summary>
    Digital,
}

/// <summary>Names of the modes as used on the command line and in reports.</summary>
public static class TrainingModes
{
    /// <summary>Command-line name of <paramref name="mode"/>.</summary>
    public static string Name(this TrainingMode mode) => mode switch
    {
        TrainingMode.InSilico => "insilico",
        TrainingMode.Pat => "pat",
        TrainingMode.Ideal => "ideal",
        TrainingMode.PatRefine => "pat-refine",
        TrainingMode.Digital => "digital",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static TrainingMode Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "insilico" or "in-silico" => TrainingMode.InSilico,
        "pat" => TrainingMode.Pat,
        "ideal" => TrainingMode.Ideal,
        "pat-refine" or "patrefine" => TrainingMode.PatRefine,
        "digital" => TrainingMode.Digital,
        _ => throw new ArgumentException($"Unknown training mode '{name}'. Valid modes: insilico, pat, ideal, pat-refine, digital."),
    };
}
