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
    /// <summary>Command-line name.</summary>
    public static string Name(this LearningRateSchedule schedule) => schedule switch
    {
        LearningRateSchedule.Constant => "constant",
        LearningRateSchedule.Cosine => "cosine",
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
    };

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static LearningRateSchedule Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => LearningRateSchedule.Constant,
        "cosine" => LearningRateSchedule.Cosine,
        _ => throw new ArgumentException($"Unknown learning-rate schedule '{text}'. Valid schedules: constant, cosine."),
    };

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
