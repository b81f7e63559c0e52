using Edge.Trainer.Cli;

namespace Edge.Trainer.Bench;

/// <summary>Which network <c>bench pat</c> trains.</summary>
public enum PnnArchitecture
{
    /// <summary>
    /// Chosen by task and system: the pixel drive for MNIST on the electronic and mechanical parts, the wide hybrid
    /// for MNIST on the optical part (the paper's hybrid), the standard network otherwise.
    /// </summary>
    Auto,

    /// <summary><see cref="Training.PnnArchitectures.ForSystem"/>: two layers, a digital input layer when the features
    /// do not fit.</summary>
    Standard,

    /// <summary><see cref="Training.PnnArchitectures.WideHybrid"/> with <see cref="PatBenchmarkOptions.Width"/>
    /// branches.</summary>
    Wide,

    /// <summary><see cref="Training.PnnArchitectures.PixelDrive"/>: each pixel a drive segment (MNIST, electronic or
    /// mechanical).</summary>
    PixelDrive,
}

/// <summary>Names and resolution of <see cref="PnnArchitecture"/>.</summary>
public static class PnnArchitectureNames
{
    private static readonly CommandLineNames<PnnArchitecture> Names = new(
        "architecture",
        "architectures",
        new(PnnArchitecture.Auto, "auto"),
        new(PnnArchitecture.Standard, "standard"),
        new(PnnArchitecture.Wide, "wide"),
        new(PnnArchitecture.PixelDrive, "pixel-drive", null, "pixels"));

    /// <summary>Command-line name.</summary>
    public static string Name(this PnnArchitecture architecture) => Names.Name(architecture);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static PnnArchitecture Parse(string text) => Names.Parse(text);

    /// <summary>What <see cref="PnnArchitecture.Auto"/> means for <paramref name="task"/> on <paramref
    /// name="system"/>.</summary>
    public static PnnArchitecture Resolve(PnnArchitecture architecture, string task, string system)
    {
        if (architecture != PnnArchitecture.Auto)
        {
            return architecture;
        }

        if (!task.Trim().Equals("mnist", StringComparison.OrdinalIgnoreCase))
        {
            return PnnArchitecture.Standard;
        }

        return PixelDriveSystem.Supports(system) ? PnnArchitecture.PixelDrive : PnnArchitecture.Wide;
    }
}
