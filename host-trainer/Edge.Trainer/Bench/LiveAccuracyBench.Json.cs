using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Bench;

/// <summary>The JSON and console lines of <c>bench drift --score live</c>.</summary>
public static partial class LiveAccuracyBench
{
    /// <summary>Name of the result in the bench JSON (<c>"bench"</c>).</summary>
    public const string BenchName = "drift-live-accuracy";

    /// <summary>What the agent and the trainer shipped with before this bench calibrated them.</summary>
    public static LiveAccuracySetting Previous { get; } = new(60, 4, 1, 0.03);

    /// <summary>The bench JSON with its run block.</summary>
    public static JsonObject ToJson(LiveAccuracyBenchResult result, JsonObject run)
    {
        ArgumentNullException.ThrowIfNull(result);
        var o = result.Options;
        var settings = new JsonArray();
        foreach (var score in result.Scores)
        {
            settings.Add(ToJson(score));
        }

        var series = new JsonArray();
        foreach (var s in result.Series)
        {
            series.Add(new JsonObject
            {
                ["seed"] = s.Seed,
                ["kind"] = s.Kind,
                ["change"] = s.Change,
                ["accuracy_before"] = s.AccuracyBefore,
                ["accuracy_after"] = s.AccuracyAfter,
                ["change_at_s"] = s.ChangeAtSeconds,
                ["round_accuracy"] = new JsonArray([.. s.Rounds.Select(r => (JsonNode?)Math.Round(r.Accuracy, 5))]),
            });
        }

        return new JsonObject
        {
            ["bench"] = BenchName,
            ["system"] = "electronic",
            ["task"] = "vowels",
            ["seeds"] = new JsonArray([.. o.Seeds.Select(s => (JsonNode?)s)]),
            ["trained_accuracy"] = new JsonArray([.. result.TrainedAccuracy.Select(a => (JsonNode?)a)]),
            ["calibration_examples"] = result.CalibrationExamples,
            ["round_s"] = o.RoundSeconds,
            ["check_interval_s"] = o.CheckSeconds,
            ["inferences_per_s"] = o.InferencesPerSecond,
            ["class_mix_window"] = o.ClassMixWindow,
            ["quiet_minutes"] = o.QuietMinutes,
            ["changed_minutes"] = o.ChangedMinutes,
            ["no_change_minutes"] = o.NoChangeMinutes,
            ["chosen"] = LiveAccuracyScoring.Choose(result.Scores) is { } chosen ? ToJson(chosen.Setting) : null,
            ["previous"] = ToJson(Previous),
            ["settings"] = settings,
            ["series"] = series,
            ["run"] = run,
        };
    }

    /// <summary>One change as a console line: cost and the class-mix distance before and after.</summary>
    public static string Format(LiveAccuracySeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var accuracies = series.Rounds.Select(r => r.Accuracy).ToList();
        var quiet = series.Rounds.Where(r => r.Seconds <= series.ChangeAtSeconds).Select(r => r.Accuracy).ToList();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"seed {series.Seed}  {series.Kind,-12} {series.Change,-14} cost {series.Cost * 100,6:F1} pts  "
            + $"probe rounds {accuracies.Count}"
            + $", quiet {quiet.Min() * 100:F1}–{quiet.Max() * 100:F1} %, last {accuracies[^1] * 100:F1} %");
    }

    /// <summary>One setting as a console line.</summary>
    public static string Format(LiveAccuracySettingScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        var s = score.Setting;
        var must = score.Rows.Where(r => r.Cost >= LiveAccuracyScoring.MustDetectCost).ToList();
        var inTime = must.Count(r => r.SecondsToDetect <= LiveAccuracyScoring.DetectWithinSeconds);
        var culture = CultureInfo.InvariantCulture;
        var worst = must.Any(r => r.SecondsToDetect is null)
            ? "never"
            : string.Create(culture, $"{(must.Count == 0 ? 0 : must.Max(r => r.SecondsToDetect!.Value)):F0} s");
        var setting = string.Create(
            culture,
            $"probe every {s.ProbeSeconds,3:F0} s, window {s.Window}, reference {s.ReferenceRounds} round(s), "
            + $"drop ≥ {s.Threshold * 100:F1} pts");
        var verdict = string.Create(
            culture,
            $"≥3-pt changes in 5 min {inTime}/{must.Count} (worst {worst}), false alarms {score.FalseAlarms} "
            + $"({score.FalseAlarmsPerDay:F2}/day)");
        return $"{setting}: {verdict}{(score.MeetsTarget ? "  ok" : string.Empty)}";
    }

    private static JsonObject ToJson(LiveAccuracySetting setting) => new()
    {
        ["probe_s"] = setting.ProbeSeconds,
        ["window"] = setting.Window,
        ["reference_rounds"] = setting.ReferenceRounds,
        ["threshold"] = setting.Threshold,
    };

    private static JsonObject ToJson(LiveAccuracySettingScore score)
    {
        var json = ToJson(score.Setting);
        var rows = new JsonArray();
        foreach (var row in score.Rows)
        {
            rows.Add(new JsonObject
            {
                ["seed"] = row.Seed,
                ["kind"] = row.Kind,
                ["change"] = row.Change,
                ["accuracy_cost"] = row.Cost,
                ["detected"] = row.Detected,
                ["seconds_to_detect"] = row.SecondsToDetect,
                ["false_alarms"] = row.FalseAlarms,
                ["worst_quiet_drop"] = row.WorstQuietDrop,
                ["final_drop"] = row.FinalDrop,
                ["quiet_class_shift"] = row.QuietClassShift,
                ["final_class_shift"] = row.FinalClassShift,
            });
        }

        json["false_alarms"] = score.FalseAlarms;
        json["false_alarms_per_day"] = score.FalseAlarmsPerDay;
        json["meets_target"] = score.MeetsTarget;
        json["rows"] = rows;
        return json;
    }
}
