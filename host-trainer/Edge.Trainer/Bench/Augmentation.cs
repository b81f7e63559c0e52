using Edge.Trainer.Cli;

namespace Edge.Trainer.Bench;

/// <summary>Extra training examples <c>bench pat</c> derives from the training split (the test split is never
/// touched).</summary>
public enum Augmentation
{
    /// <summary>The training split as it is.</summary>
    None,

    /// <summary>FSDD: every training recording also 10 % slower and 10 % faster (<see
    /// cref="BenchTasks.SpeedFactors"/>).</summary>
    Speed,

    /// <summary>FSDD: a hundred espeak-ng voices speak the digits as extra training speakers (<see
    /// cref="Speech.SyntheticDigitSpeakers"/>).</summary>
    Voices,

    /// <summary>MNIST: every training image also moved by one pixel in each direction (<see
    /// cref="Domain.Data.MnistDataset.WithShiftedCopies"/>).</summary>
    Shift,
}

/// <summary>Names of <see cref="Augmentation"/>.</summary>
public static class Augmentations
{
    private static readonly CommandLineNames<Augmentation> Names = new(
        "augmentation",
        "augmentations",
        new(Augmentation.None, "none"),
        new(Augmentation.Speed, "speed", "fsdd"),
        new(Augmentation.Voices, "voices", "fsdd"),
        new(Augmentation.Shift, "shift", "mnist"));

    /// <summary>Command-line name.</summary>
    public static string Name(this Augmentation augmentation) => Names.Name(augmentation);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static Augmentation Parse(string text) => Names.Parse(text);
}
