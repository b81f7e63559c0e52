using Edge.Trainer.Cli;

namespace Edge.Trainer.Training;

/// <summary>How the Adam step size changes over a training run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same step size throughout (the reference protocol).</summary>
    Constant,

    /// <summary>
    /// Half a cosine from the initial step size down to zero at the last step: device noise makes every gradient
    /// noisy, and a shrinking step averages that noise out instead of hopping around the optimum.
    /// </summary>
    Cosine,
}

/// <summary>Names and values of <see cref="LearningRateSchedule"/>.</summary>
public static class LearningRateSchedules
{
    private static readonly CommandLineNames<LearningRateSchedule> Names = new(
        "learning-rate schedule",
        "schedules",
        new(LearningRateSchedule.Constant, "constant"),
        new(LearningRateSchedule.Cosine, "cosine"));

    /// <summary>Command-line name.</summary>
    public static string Name(this LearningRateSchedule schedule) => Names.Name(schedule);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static LearningRateSchedule Parse(string text) => Names.Parse(text);

    /// <summary>The step size for step <paramref name="step"/> (from 0) of <paramref name="steps"/>.</summary>
    public static double At(this LearningRateSchedule schedule, double initial, long step, long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return schedule switch
        {
            LearningRateSchedule.Constant => initial,
            LearningRateSchedule.Cosine => initial * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, steps) / steps)),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
        };
    }
}
