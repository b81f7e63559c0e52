using Edge.Trainer.Cli;

namespace Edge.Trainer.Training;

/// <summary>How gradients reach the physical parameters.</summary>
public enum TrainingMode
{
    /// <summary>Forward and backward through the twin; the device is used only to evaluate.</summary>
    InSilico,

    /// <summary>Physics-aware training: device forward, twin VJP backward at the drives actually played.</summary>
    Pat,

    /// <summary>Device forward, exact gradients of the simulated physics (noise-free) backward: the upper
    /// bound.</summary>
    Ideal,

    /// <summary>PAT whose twin is fine-tuned online on the (drive, response) pairs PAT's device passes
    /// produce.</summary>
    PatRefine,

    /// <summary>No physical layer: a digital tanh network with the hybrid's parameter count, the comparison
    /// baseline.</summary>
    Digital,

    /// <summary>Direct feedback alignment: fixed random feedback of the output error into every physical drive; no
    /// twin.</summary>
    Dfa,

    /// <summary>Physical local learning: layer-local objectives, forward passes only; no twin, no backward
    /// pass.</summary>
    Local,

    /// <summary>Zeroth-order training through the device (SPSA): forward passes only; no twin.</summary>
    Zo,
}

/// <summary>Names of the modes as used on the command line and in reports.</summary>
public static class TrainingModes
{
    private static readonly CommandLineNames<TrainingMode> Names = new(
        "training mode",
        "modes",
        new(TrainingMode.InSilico, "insilico", null, "in-silico"),
        new(TrainingMode.Pat, "pat"),
        new(TrainingMode.Ideal, "ideal"),
        new(TrainingMode.PatRefine, "pat-refine", null, "patrefine"),
        new(TrainingMode.Digital, "digital"),
        new(TrainingMode.Dfa, "dfa"),
        new(TrainingMode.Local, "local"),
        new(TrainingMode.Zo, "zo", null, "spsa"));

    /// <summary>The valid names, comma-separated.</summary>
    public static string Valid => Names.Valid;

    /// <summary>Command-line name of <paramref name="mode"/>.</summary>
    public static string Name(this TrainingMode mode) => Names.Name(mode);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static TrainingMode Parse(string name) => Names.Parse(name);
}
