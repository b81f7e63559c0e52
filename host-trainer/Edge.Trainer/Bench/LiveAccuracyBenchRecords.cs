namespace Edge.Trainer.Bench;

/// <summary>Settings of <c>bench drift --score live</c>.</summary>
public sealed record LiveAccuracyBenchOptions
{
    /// <summary>Seeds of the parts' noise, the models and the traffic: one part and model per seed.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Training epochs of the model (ideal gradients).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Passes over the test set for each accuracy-cost figure.</summary>
    public int CostPasses { get; init; } = 24;

    /// <summary>Simulated seconds between recorded probe rounds; every probe schedule scored is a multiple.</summary>
    public double RoundSeconds { get; init; } = 30;

    /// <summary>Simulated seconds between the trainer's checks of the agent's status.</summary>
    public double CheckSeconds { get; init; } = 60;

    /// <summary>Live traffic, in inferences per simulated second.</summary>
    public double InferencesPerSecond { get; init; } = 1;

    /// <summary>Answers the agent's class mix remembers (<c>classShift</c>).</summary>
    public int ClassMixWindow { get; init; } = 200;

    /// <summary>Quiet minutes from activation to the change.</summary>
    public double QuietMinutes { get; init; } = 15;

    /// <summary>Minutes after the change.</summary>
    public double ChangedMinutes { get; init; } = 10;

    /// <summary>Quiet minutes of the "no change" row: a simulated day, for false alarms per day.</summary>
    public double NoChangeMinutes { get; init; } = 1440;

    /// <summary>Probe schedules scored (seconds between the agent's rounds).</summary>
    public IReadOnlyList<double> ProbeSchedules { get; init; } = [30, 60];

    /// <summary>Windows scored (rounds averaged into the published figure).</summary>
    public IReadOnlyList<int> Windows { get; init; } = [4, 8];

    /// <summary>Thresholds scored (accuracy fall from the reference, 0.02: two points).</summary>
    public IReadOnlyList<double> Thresholds { get; init; } = [0.015, 0.02, 0.025, 0.03];

    /// <summary>Every setting scored: schedule × window × reference (one round, a full window) × threshold.</summary>
    public IEnumerable<LiveAccuracySetting> Settings() =>
        from probe in ProbeSchedules
        from window in Windows
        from reference in new[] { 1, window }
        from threshold in Thresholds
        select new LiveAccuracySetting(probe, window, reference, threshold);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Seeds.Count == 0)
        {
            throw new ArgumentException("bench drift --score live: give at least one seed.");
        }

        if (!(RoundSeconds > 0 && CheckSeconds > 0 && InferencesPerSecond >= 0))
        {
            throw new ArgumentException("bench drift --score live: round, check and traffic rates must be positive.");
        }

        if (ProbeSchedules.Any(p => Math.Abs((p / RoundSeconds) - Math.Round(p / RoundSeconds)) > 1e-6 || p <= 0))
        {
            throw new ArgumentException(
                $"bench drift --score live: every probe schedule must be a multiple of {RoundSeconds} s.");
        }

        if (QuietMinutes * 60 < RoundSeconds || ChangedMinutes * 60 < RoundSeconds)
        {
            throw new ArgumentException(
                "bench drift --score live: the quiet and changed stretches must each hold at least one round.");
        }

        if (!(NoChangeMinutes >= QuietMinutes))
        {
            throw new ArgumentException(
                $"bench drift --score live: --day-minutes ({NoChangeMinutes}) must be at least the quiet stretch of "
                + $"the other changes ({QuietMinutes} min).");
        }
    }
}

/// <summary>How the agent probes and the trainer decides.</summary>
/// <param name="ProbeSeconds">Seconds between the agent's probe rounds (<c>Edge:Models:CalibrationProbeSeconds</c>).
/// </param>
/// <param name="Window">Rounds the published figure averages (<c>Edge:Models:CalibrationProbeWindow</c>).</param>
/// <param name="ReferenceRounds">Rounds a figure must hold to become the reference.</param>
/// <param name="Threshold">Accuracy fall that starts an update (<c>--accuracy-drop</c>).</param>
public sealed record LiveAccuracySetting(double ProbeSeconds, int Window, int ReferenceRounds, double Threshold);

/// <summary>One probe round of the recorded field.</summary>
/// <param name="Seconds">Simulated seconds from activation to the end of the round.</param>
/// <param name="Accuracy">Calibration accuracy of the round.</param>
/// <param name="ClassShift">The answers' class-mix distance after the round (NaN before enough answers).</param>
public sealed record LiveAccuracyRound(double Seconds, double Accuracy, double ClassShift);

/// <summary>One change of the grid as recorded.</summary>
/// <param name="Seed">The seed of the part and model.</param>
/// <param name="Kind">temperature, ageing, settling, gain, part swap or none.</param>
/// <param name="Change">The change in words.</param>
/// <param name="AccuracyBefore">Test accuracy before the change.</param>
/// <param name="AccuracyAfter">Test accuracy after it.</param>
/// <param name="ChangeAtSeconds">Simulated seconds from activation to the change.</param>
/// <param name="Rounds">The probe rounds, every <see cref="LiveAccuracyBenchOptions.RoundSeconds"/>.</param>
public sealed record LiveAccuracySeries(
    ulong Seed,
    string Kind,
    string Change,
    double AccuracyBefore,
    double AccuracyAfter,
    double ChangeAtSeconds,
    IReadOnlyList<LiveAccuracyRound> Rounds)
{
    /// <summary>Accuracy lost (0.03: three points).</summary>
    public double Cost => AccuracyBefore - AccuracyAfter;
}

/// <summary>What one setting made of one change.</summary>
/// <param name="Seed">The seed of the part and model.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Change">The change in words.</param>
/// <param name="Cost">Accuracy lost.</param>
/// <param name="Detected">True when a check after the change alarmed.</param>
/// <param name="SecondsToDetect">Simulated seconds from the change to the first alarming check.</param>
/// <param name="FalseAlarms">Alarm onsets before the change, plus after a change costing under one point.</param>
/// <param name="WorstQuietDrop">Largest fall below the reference before the change.</param>
/// <param name="FinalDrop">Fall below the reference at the last check.</param>
/// <param name="QuietClassShift">Largest class-mix distance before the change.</param>
/// <param name="FinalClassShift">Class-mix distance at the last check.</param>
public sealed record LiveAccuracyRowScore(
    ulong Seed,
    string Kind,
    string Change,
    double Cost,
    bool Detected,
    double? SecondsToDetect,
    int FalseAlarms,
    double WorstQuietDrop,
    double FinalDrop,
    double QuietClassShift,
    double FinalClassShift);

/// <summary>One setting over the whole grid.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Rows">One per change.</param>
/// <param name="FalseAlarms">Alarm onsets in all quiet time.</param>
/// <param name="FalseAlarmsPerDay">The same per simulated day of quiet time.</param>
/// <param name="MeetsTarget">
/// Every change costing ≥ 3 points detected within 5 minutes, and no false alarm.
/// </param>
public sealed record LiveAccuracySettingScore(
    LiveAccuracySetting Setting,
    IReadOnlyList<LiveAccuracyRowScore> Rows,
    int FalseAlarms,
    double FalseAlarmsPerDay,
    bool MeetsTarget);

/// <summary>The recorded field and every setting's score.</summary>
/// <param name="Options">The settings.</param>
/// <param name="TrainedAccuracy">Test accuracy of the trained model, per seed.</param>
/// <param name="CalibrationExamples">
/// Examples in a probe round (the test split, as the agent's calibration set).
/// </param>
/// <param name="Series">One per change.</param>
/// <param name="Scores">One per setting.</param>
public sealed record LiveAccuracyBenchResult(
    LiveAccuracyBenchOptions Options,
    IReadOnlyList<double> TrainedAccuracy,
    int CalibrationExamples,
    IReadOnlyList<LiveAccuracySeries> Series,
    IReadOnlyList<LiveAccuracySettingScore> Scores);
