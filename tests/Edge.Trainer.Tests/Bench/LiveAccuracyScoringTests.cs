using Edge.Trainer.Bench;

namespace Edge.Trainer.Tests.Bench;

/// <summary>
/// How <c>bench drift --score live</c> scores a setting on recorded probe rounds: the reference waits for its rounds,
/// the figure averages the window, alarms count once per onset, and the target is judged per change.
/// </summary>
public sealed class LiveAccuracyScoringTests
{
    private static readonly LiveAccuracyBenchOptions Options = new() { RoundSeconds = 30, CheckSeconds = 60 };

    [Fact]
    public void A_one_round_reference_that_read_high_alarms_in_quiet_time_and_a_full_window_one_does_not()
    {
        // Quiet rounds at 96 % except a lucky first round at 100 %: a one-round reference sees a 4-point fall.
        // The trainer checks every round here, so its first figure holds one round.
        var everyRound = new LiveAccuracyBenchOptions { RoundSeconds = 30, CheckSeconds = 30 };
        var quiet = Series("none", cost: 0, changeAtRound: 40, rounds: 60, before: 0.96, after: 0.96, first: 1.0);
        var single = LiveAccuracyScoring.Score([quiet], new LiveAccuracySetting(30, 4, 1, 0.03), everyRound);
        var window = LiveAccuracyScoring.Score([quiet], new LiveAccuracySetting(30, 4, 4, 0.03), everyRound);

        Assert.Equal(1, single.FalseAlarms);
        Assert.False(single.MeetsTarget);
        Assert.Equal(0, window.FalseAlarms);
        Assert.True(window.MeetsTarget);
        Assert.Equal(86_400 / (40 * 30.0 + (20 * 30.0)), single.FalseAlarmsPerDay, 6);
    }

    [Fact]
    public void A_costly_change_is_detected_when_the_window_has_fallen_and_too_slow_a_window_misses_the_target()
    {
        // From 96 % to 90 % at minute 10 (round 20).
        var change = Series("settling", cost: 0.06, changeAtRound: 20, rounds: 40, before: 0.96, after: 0.90);
        var fast = LiveAccuracyScoring.Score([change], new LiveAccuracySetting(60, 4, 4, 0.03), Options).Rows[0];
        var slow = LiveAccuracyScoring.Score([change], new LiveAccuracySetting(60, 8, 8, 0.05), Options);

        // Probes every 60 s, window 4: two changed rounds of four make the fall 3 points, at the check 120 s after.
        Assert.Equal((true, 120.0), (fast.Detected, fast.SecondsToDetect!.Value));
        // Window 8 and 5 points: seven changed rounds needed, 420 s: detected, but not within the 5-minute target.
        Assert.Equal(420.0, slow.Rows[0].SecondsToDetect);
        Assert.False(slow.MeetsTarget);
        Assert.Null(LiveAccuracyScoring.Choose([slow]));
        var chosen = LiveAccuracyScoring.Choose(
            [slow, LiveAccuracyScoring.Score([change], new LiveAccuracySetting(60, 4, 4, 0.03), Options)]);
        Assert.Equal(fast, chosen!.Rows[0]);
    }

    // Rounds every 30 s; round k (1-based) ends at k × 30 s; rounds after the change read `after`.
    private static LiveAccuracySeries Series(
        string kind, double cost, int changeAtRound, int rounds, double before, double after, double? first = null)
    {
        var recorded = Enumerable.Range(1, rounds)
            .Select(k => new LiveAccuracyRound(
                k * 30.0, k == 1 && first is { } f ? f : k > changeAtRound ? after : before, double.NaN))
            .ToList();
        return new LiveAccuracySeries(1, kind, "test", 0.96, 0.96 - cost, changeAtRound * 30.0, recorded);
    }
}
