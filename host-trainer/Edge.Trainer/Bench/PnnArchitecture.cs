namespace Edge.Trainer.Bench;

/// <summary>Which network <c>bench pat</c> trains.</summary>
public enum PnnArchitecture
{
    /// <summary>
    /// Chosen by task and system: the pixel drive for MNIST on the electronic and mechanical parts, the wide hybrid
    /// for MNIST on the optical part (the paper's hybrid), the standard network otherwise.
    /// </summary>
    Auto,

    /// <summary><see cref="Training.PnnArchitectures.ForSystem"/>: two layers, a digital input layer when the features do not fit.</summary>
    Standard,

    /// <summary><see cref="Training.PnnArchitectures.WideHybrid"/> with <see cref="PatBenchmarkOptions.Width"/> branches.</summary>
    Wide,

    /// <summary><see cref="Training.PnnArchitectures.PixelDrive"/>: each pixel a drive segment (MNIST, electronic or mechanical).</summary>
    PixelDrive,
}

/// <summary>Names and resolution of <see cref="PnnArchitecture"/>.</summary>
public static class PnnArchitectureNames
{
    /// <summary>Command-line name.</summary>
    public static string Name(this PnnArchitecture architecture) => architecture switch
    {
        PnnArchitecture.Auto => "auto",
        PnnArchitecture.Standard => "standard",
        PnnArchitecture.Wide => "wide",
        PnnArchitecture.PixelDrive => "pixel-drive",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static PnnArchitecture Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => PnnArchitecture.Auto,
        "standard" => PnnArchitecture.Standard,
        "wide" => PnnArchitecture.Wide,
        "pixel-drive" or "pixels" => PnnArchitecture.PixelDrive,
        _ => throw new ArgumentException($"Unknown architecture '{text}'. Valid architectures: auto, standard, wide, pixel-drive."),
    };

    /// <summary>What <see cref="PnnArchitecture.Auto"/> means for <paramref name="task"/> on <paramref name="system"/>.</summary>
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
