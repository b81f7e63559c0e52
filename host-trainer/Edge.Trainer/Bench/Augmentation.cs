namespace Edge.Trainer.Bench;

/// <summary>Extra training examples <c>bench pat</c> derives from the training split (the test split is never touched).</summary>
public enum Augmentation
{
    /// <summary>The training split as it is.</summary>
    None,

    /// <summary>FSDD: every training recording also 10 % slower and 10 % faster (<see cref="BenchTasks.SpeedFactors"/>).</summary>
    Speed,

    /// <summary>FSDD: a hundred espeak-ng voices speak the digits as extra training speakers (<see cref="Speech.SyntheticDigitSpeakers"/>).</summary>
    Voices,

    /// <summary>MNIST: every training image also moved by one pixel in each direction (<see cref="Domain.Data.MnistDataset.WithShiftedCopies"/>).</summary>
    Shift,
}

/// <summary>Names of <see cref="Augmentation"/>.</summary>
public static class Augmentations
{
    /// <summary>Command-line name.</summary>
    public static string Name(this Augmentation augmentation) => augmentation switch
    {
        Augmentation.None => "none",
        Augmentation.Speed => "speed",
        Augmentation.Voices => "voices",
        Augmentation.Shift => "shift",
        _ => throw new ArgumentOutOfRangeException(nameof(augmentation), augmentation, null),
    };

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static Augmentation Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => Augmentation.None,
        "speed" => Augmentation.Speed,
        "voices" => Augmentation.Voices,
        "shift" => Augmentation.Shift,
        _ => throw new ArgumentException($"Unknown augmentation '{text}'. Valid augmentations: none, speed (fsdd), voices (fsdd), shift (mnist)."),
    };
}
