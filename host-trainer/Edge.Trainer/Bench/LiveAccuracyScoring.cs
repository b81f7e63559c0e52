namespace Edge.Trainer.Bench;

/// <summary>
/// Scores one <see cref="LiveAccuracySetting"/> on recorded probe rounds as the agent and the trainer's watch would
/// run it: the agent keeps the rounds of its probe schedule and publishes the mean of the last
/// <see cref="LiveAccuracySetting.Window"/>; the trainer reads it at every check, takes as reference the first figure
/// that holds <see cref="LiveAccuracySetting.ReferenceRounds"/> rounds, and alarms when the figure has fallen
/// <see cref="LiveAccuracySetting.Threshold"/> below it.
/// </summary>
public static class LiveAccuracyScoring
{
    /// <summary>The target: changes costing this much are detected within <see cref="DetectWithinSeconds"/>.</summary>
    public const double MustDetectCost = 0.03;

    /// <summary>Changes costing less than this must trigger nothing.</summary>
    public const double MustIgnoreCost = 0.01;

    /// <summary>How soon a change costing <see cref="MustDetectCost"/> or more must be detected.</summary>
    public const double DetectWithinSeconds = 300;

    /// <summary>Scores <paramref name="setting"/> on every recorded change.</summary>
    public static LiveAccuracySettingScore Score(
        IReadOnlyList<LiveAccuracySeries> series, LiveAccuracySetting setting, LiveAccuracyBenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(options);
        var rows = series.Select(s => ScoreRow(s, setting, options.CheckSeconds)).ToList();
        var quietSeconds = series.Sum(s => s.ChangeAtSeconds
            + (s.Cost < MustIgnoreCost ? s.Rounds[^1].Seconds - s.ChangeAtSeconds : 0));
        var falseAlarms = rows.Sum(r => r.FalseAlarms);
        var met = falseAlarms == 0
            && rows.All(r => r.Cost < MustDetectCost
                || (r.SecondsToDetect is { } t && t <= DetectWithinSeconds));
        return new LiveAccuracySettingScore(setting, rows, falseAlarms, falseAlarms / (quietSeconds / 86_400), met);
    }

    /// <summary>
    /// The setting to ship: among those meeting the target, the cheapest probe schedule, then the highest threshold
    /// (most margin against noise), then the shortest window (quickest to follow), then the fewest reference rounds.
    /// Null when none meets it.
    /// </summary>
    public static LiveAccuracySettingScore? Choose(IEnumerable<LiveAccuracySettingScore> scores) =>
        scores.Where(s => s.MeetsTarget)
            .OrderByDescending(s => s.Setting.ProbeSeconds)
            .ThenByDescending(s => s.Setting.Threshold)
            .ThenBy(s => s.Setting.Window)
            .ThenBy(s => s.Setting.ReferenceRounds)
            .FirstOrDefault();

    private static LiveAccuracyRowScore ScoreRow(
        LiveAccuracySeries series, LiveAccuracySetting setting, double checkSeconds)
    {
        // The rounds the agent's schedule plays: every k-th recorded round.
        var rounds = series.Rounds.Where(r => IsMultiple(r.Seconds, setting.ProbeSeconds)).ToList();
        var window = new Queue<double>();
        var (used, recorded) = (0, 0);
        double? reference = null;
        double? detectedAfter = null;
        var (falseAlarms, alarming, worstQuietDrop, lastDrop, shiftQuiet, shiftEnd) = (0, false, 0.0, 0.0, 0.0, 0.0);
        var end = series.Rounds[^1].Seconds;
        for (var t = checkSeconds; t <= end + 1e-9; t += checkSeconds)
        {
            while (used < rounds.Count && rounds[used].Seconds <= t + 1e-9)
            {
                window.Enqueue(rounds[used++].Accuracy);
                if (window.Count > setting.Window)
                {
                    window.Dequeue();
                }
            }

            while (recorded < series.Rounds.Count && series.Rounds[recorded].Seconds <= t + 1e-9)
            {
                recorded++;
            }

            var quiet = t <= series.ChangeAtSeconds + 1e-9;
            if (recorded > 0 && series.Rounds[recorded - 1].ClassShift is var shift && double.IsFinite(shift))
            {
                shiftQuiet = quiet ? Math.Max(shiftQuiet, shift) : shiftQuiet;
                shiftEnd = shift;
            }

            if (window.Count == 0)
            {
                continue;
            }

            var figure = window.Average();
            if (reference is null)
            {
                // The agent's window restarts at activation; a figure counts as reference once it holds enough rounds.
                reference = used >= setting.ReferenceRounds ? figure : null;
                continue;
            }

            lastDrop = reference.Value - figure;
            var alarm = lastDrop >= setting.Threshold - 1e-12;
            var onset = alarm && !alarming;
            alarming = alarm;
            if (quiet)
            {
                worstQuietDrop = Math.Max(worstQuietDrop, lastDrop);
                falseAlarms += onset ? 1 : 0;
                continue;
            }

            detectedAfter ??= alarm ? t - series.ChangeAtSeconds : null;

            // Below one point a change should trigger nothing: any alarm after it is a false alarm too.
            falseAlarms += onset && series.Cost < MustIgnoreCost ? 1 : 0;
        }

        return new LiveAccuracyRowScore(
            series.Seed,
            series.Kind,
            series.Change,
            series.Cost,
            detectedAfter is not null,
            detectedAfter,
            falseAlarms,
            worstQuietDrop,
            lastDrop,
            shiftQuiet,
            shiftEnd);
    }

    private static bool IsMultiple(double seconds, double period)
    {
        var ratio = seconds / period;
        return Math.Abs(ratio - Math.Round(ratio)) < 1e-6;
    }
}
