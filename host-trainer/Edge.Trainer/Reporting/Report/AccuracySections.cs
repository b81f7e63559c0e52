using System.Text;
using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;

namespace Edge.Trainer.Reporting.Report;

/// <summary>The accuracy part of the report: the task × device table, one section per run, leave-one-speaker-out
/// tables.</summary>
internal static class AccuracySections
{
    private static readonly string[] HeadlineModes =
        ["insilico", "pat", "ideal", "pat-refine", "dfa", "local", "zo", "digital"];

    /// <summary>Results of whole tasks (not leave-one-speaker-out folds), in data order.</summary>
    public static IEnumerable<AccuracyResult> Tasks(BenchData data)
        => data.Accuracy.Where(r => !IsFold(r)).OrderBy(r => TaskRank(r.Task));

    /// <summary>The paper's order: vowels, spoken digits, MNIST, then anything else (a stable sort keeps file order
    /// within a task).</summary>
    private static int TaskRank(string task) => Array.IndexOf(["vowels", "fsdd", "fsdd-waveform", "mnist"], task)
        is var rank and >= 0 ? rank : 4;

    /// <summary>Leave-one-speaker-out folds grouped by their run (file name without the speaker), in data
    /// order.</summary>
    public static IEnumerable<IGrouping<string, AccuracyResult>> FoldGroups(BenchData data)
        => data.Accuracy.Where(IsFold).GroupBy(GroupKey);

    /// <summary>
    /// The README's headline table: device accuracy per task and device, mean over seeds, beside the paper's PAT
    /// figure (<see cref="PaperFigure"/>); the audio rows also give the leave-one-speaker-out mean of their device and
    /// that figure through real agents (<see cref="AgentParitySection"/>).
    /// </summary>
    public static string Headline(BenchData data, string dataFolder)
    {
        var text = new StringBuilder("| task | device | network | in-silico → device | PAT | ideal | paper (PAT) "
            + "| unseen speaker (LOSO mean) | unseen speaker through the agent | seeds × epochs | whole run "
            + "| recipe |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        var groups = FoldGroups(data).Select(g => g.ToList()).ToList();
        var currentGroups = Current(groups.Select(g => g[0]), r => (r.Task[..4], r.System))
            .Select(first => groups.First(g => g[0] == first))
            .ToList();
        // Lab parts only: the field profile's rows are compared with them in the report's lab-against-field section.
        foreach (var result in Current(Tasks(data).Where(r => r.Profile == DeviceProfile.Lab), r => (r.Task, r.System)))
        {
            var audio = result.Task == "fsdd" ? currentGroups.FirstOrDefault(g => g[0].System == result.System) : null;
            text.AppendLine($"| {result.Task}{ReportFormat.Tag(result.Run)} | {result.System} | {result.Network} "
                + $"| {ReportFormat.Percent(result.Mode("insilico")?.Mean)} "
                + $"| **{ReportFormat.Percent(result.Mode("pat")?.Mean)}** "
                + $"| {ReportFormat.Percent(result.Mode("ideal")?.Mean)} | {PaperFigure(result.Task, result.System)} "
                + $"| {(audio is null ? ReportFormat.None : FoldMean(audio, "pat"))} "
                + $"| {(audio is null ? ReportFormat.None : ThroughAgent(data, result.System))} "
                + $"| {result.Seeds} × {result.Epochs} | {Seconds(result.WallSeconds)} "
                + $"| {Recipe(dataFolder, result)} |");
        }

        foreach (var group in currentGroups)
        {
            var first = group[0];
            text.AppendLine($"| fsdd, leave one speaker out ({group.Count} folds, mean){ReportFormat.Tag(first.Run)} "
                + $"| {first.System} | {first.Network} | {FoldMean(group, "insilico")} | **{FoldMean(group, "pat")}** "
                + $"| {FoldMean(group, "ideal")} | {ReportFormat.None} | {FoldMean(group, "pat")} "
                + $"| {ThroughAgent(data, first.System)} | {first.Seeds} × {first.Epochs} "
                + $"| {Seconds(Sum(group.Select(r => r.WallSeconds)))} | {Recipe(dataFolder, first)} (one per fold) |");
        }

        return text.ToString();
    }

    /// <summary>
    /// The PAT figure of Wright et al., Nature 601, 549 (2022) for the task on the device, or for vowels the paper's
    /// one vowel figure (optical) with its device named; "–" where the paper has none.
    /// </summary>
    private static string PaperFigure(string task, string system) => (task, system) switch
    {
        ("mnist", "mechanical") => "87 %",
        ("mnist", "electronic") => "93 %",
        ("mnist", "optical") => "97 %",
        ("vowels", "optical") => "93 %",
        ("vowels", _) => "93 % (optical)",
        _ => ReportFormat.None,
    };

    // The latest loso-agent figure of the device: on the trained part, and on the other (uncommissioned) parts.
    private static string ThroughAgent(BenchData data, string system)
        => AgentParitySection.Latest(data, system) is { } parity
            ? $"{ReportFormat.Percent(parity.TrainedPartMean)} ({parity.Folds} folds"
                + (parity.OtherPartsMean is { } other ? $"; other parts: {ReportFormat.Percent(other)})" : ")")
            : ReportFormat.None;

    /// <summary>
    /// One result per key (task and device), in data order: the latest run the bench wrote itself, else the latest
    /// recovered one; among the bench's own, those trained longest first (a shortened comparison run does not
    /// displace a full one). The others are history, listed in the full report.
    /// </summary>
    private static IEnumerable<AccuracyResult> Current(
        IEnumerable<AccuracyResult> results, Func<AccuracyResult, (string, string)> key)
        => results.GroupBy(key).Select(g => g
            .OrderBy(r => r.Run?.Source is null ? 1 : 0)
            .ThenBy(r => r.Run?.Source is null ? r.Epochs : 0)
            .ThenBy(r => r.Run?.TimestampUtc ?? string.Empty, StringComparer.Ordinal)
            .Last());

    private static string Recipe(string dataFolder, AccuracyResult result)
        => $"`{dataFolder}/{Path.GetFileName(result.File)}`";

    /// <summary>Appends the accuracy section: the full table, then one subsection per result and per fold
    /// group.</summary>
    public static void Append(StringBuilder text, ReportContext context)
    {
        text.AppendLine("## Accuracy: task × device").AppendLine();
        text.AppendLine("Device test accuracy (mean over seeds, each the mean of the evaluation passes through the "
            + "device). *twin predicts* is the accuracy the twin expects of the in-silico model; device passes count "
            + "every drive played, twin data included.").AppendLine();
        text.AppendLine("| task | device | profile | network | seeds × epochs | in-silico | PAT | ideal | pat-refine "
            + "| dfa | local | zo | digital | twin predicts in-silico | twin NMSE (noise floor) | device passes "
            + "| whole run | measured |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var result in Tasks(context.Data))
        {
            text.Append($"| [{result.Task}](#{Anchor(result)}){ReportFormat.Tag(result.Run)} | {result.System} "
                + $"| {result.Profile.Name()} | {result.Network} | {result.Seeds} × {result.Epochs} |");
            foreach (var mode in HeadlineModes)
            {
                text.Append($" {ReportFormat.Percent(result.Mode(mode)?.Mean)} |");
            }

            text.AppendLine($" {ReportFormat.Percent(result.TwinPredictedInSilico)} | {Nmse(result)} | "
                + $"{ReportFormat.Count(result.DevicePasses)} | {Seconds(result.WallSeconds)} | "
                    + $"{context.Measured(result.Run)} |");
        }

        text.AppendLine();
        context.AppendNote(text, "accuracy");
        foreach (var result in Tasks(context.Data))
        {
            AppendResult(text, context, result);
        }

        foreach (var group in FoldGroups(context.Data))
        {
            AppendFolds(text, context, group.Key, [.. group]);
        }
    }

    private static void AppendResult(StringBuilder text, ReportContext context, AccuracyResult result)
    {
        text.AppendLine($"### {Heading(result)}").AppendLine();
        text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
        ReportContext.AppendCommand(text, result.Run);
        text.Append("| mode | mean |");
        for (var seed = 0; seed < result.Seeds; seed++)
        {
            text.Append($" seed {seed} |");
        }

        text.AppendLine(" twin predicts | device drives | training passes / seed | passes to final | twin passes / "
            + "seed "
            + "| train s / seed |");
        text.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", result.Seeds)))
            .AppendLine("---|---|---|---|---|---|");
        foreach (var mode in result.Modes)
        {
            var runs = result.Details.Runs.Where(r => r.Mode == mode.Mode).ToList();
            text.Append($"| {mode.Mode} | **{ReportFormat.Percent(mode.Mean)}** |");
            foreach (var accuracy in mode.PerSeed)
            {
                text.Append($" {ReportFormat.Percent(accuracy)} |");
            }

            text.AppendLine($" {ReportFormat.Percent(Mean(runs.Select(r => r.TwinPredicted)))} | "
                + $"{ReportFormat.Count(Sum(runs.Select(r => (double?)r.DeviceDrives)))} "
                + $"| {ReportFormat.Count(Mean(runs.Select(r => (double?)r.TrainingDrives)))} "
                + $"| {ReportFormat.Count(Mean(runs.Select(r => (double?)r.DrivesToFinal)))} "
                + $"| {ReportFormat.Count(Mean(runs.Select(r => (double?)r.TwinPasses)))} "
                + $"| {ReportFormat.Fixed(Mean(runs.Select(r => r.WallSeconds)), 1)} |");
        }

        text.AppendLine();
        var details = result.Details;
        text.AppendLine($"Twin: {details.Twin ?? "not recorded"}, validation NMSE "
            + $"{ReportFormat.Fixed(result.TwinValidationNmse, 4)} against a noise floor of "
            + $"{ReportFormat.Fixed(result.NoiseFloorNmse, 4)}; twin data {ReportFormat.Count(details.TwinDataDrives)} "
            + $"drives, twin fit {Seconds(details.TwinFitSeconds)}, whole run {Seconds(result.WallSeconds)} on "
            + $"{ReportFormat.Count(details.Threads)} thread(s).").AppendLine();
        var stem = Path.GetFileNameWithoutExtension(result.File);
        var images = context.Images.Where(i => Plots.IsPlotOf(i, stem)).ToList();
        if (images.Count > 0)
        {
            text.AppendLine(string.Join(' ',
                images.Select(i => $"![{Path.GetFileNameWithoutExtension(i)}]({context.ImageLink}{i})"))).AppendLine();
        }

        context.AppendNote(text, Key(result.File));
    }

    private static void AppendFolds(StringBuilder text, ReportContext context, string key, IReadOnlyList<AccuracyResult>
        folds)
    {
        var first = folds[0];
        var modes = first.Modes.Select(m => m.Mode).ToList();
        text.AppendLine($"### FSDD leave-one-speaker-out on {first.System}{ReportFormat.Tag(first.Run)}").AppendLine();
        text.AppendLine(context.Provenance(first.Run, $"{key}-*.json")).AppendLine();
        ReportContext.AppendCommand(text, first.Run);
        text.AppendLine($"| held-out speaker | {string.Join(" | ", modes)} | whole run |");
        text.Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", modes.Count))).AppendLine("---|");
        foreach (var fold in folds)
        {
            text.AppendLine($"| {fold.Task[BenchTasks.FsddLosoPrefix.Length..]} | {string.Join(" | "
                + "", modes.Select(m => ReportFormat.Percent(fold.Mode(m)?.Mean)))} | {Seconds(fold.WallSeconds)} |");
        }

        text.AppendLine($"| **mean** | {string.Join(" | ", modes.Select(m => $"**{FoldMean(folds, m)}**"))} | "
            + $"{Seconds(Sum(folds.Select(f => f.WallSeconds)))} |").AppendLine();
        text.AppendLine($"{first.Seeds} seed(s), {first.Epochs} epochs per fold, twin refitted per fold.").AppendLine();
        context.AppendNote(text, key);
    }

    /// <summary>Note key and anchor stem of a result: its file path without <c>.json</c>.</summary>
    public static string Key(string file) => file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
        ? file[..^".json".Length] : file;

    private static bool IsFold(AccuracyResult result)
        => result.Task.StartsWith(BenchTasks.FsddLosoPrefix, StringComparison.OrdinalIgnoreCase);

    private static string GroupKey(AccuracyResult fold)
    {
        var speaker = "-" + fold.Task[BenchTasks.FsddLosoPrefix.Length..];
        var key = Key(fold.File);
        return key.EndsWith(speaker, StringComparison.OrdinalIgnoreCase) ? key[..^speaker.Length]
            : $"fsdd-loso-{fold.System}";
    }

    // A second result of the same task and device (other epochs, say) is told apart by its file name.
    private static string Heading(AccuracyResult result)
    {
        var key = Key(result.File);
        var name = key == $"{result.Task}-{result.System}" ? string.Empty : $" ({key})";
        return $"{result.Task} on {result.Device}{name}{ReportFormat.Tag(result.Run)}";
    }

    // GitHub's heading anchors: lower case, spaces to hyphens, punctuation dropped.
    private static string Anchor(AccuracyResult result)
        => string.Concat(Heading(result).ToLowerInvariant()
            .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').Select(c => c == ' ' ? '-' : c));

    private static string FoldMean(IEnumerable<AccuracyResult> folds, string mode)
        => ReportFormat.Percent(folds.Select(f => f.Mode(mode)?.Mean).ToList() is var means
            && means.All(m => m is not null) ? means.Average() : null);

    private static string Nmse(AccuracyResult result) => result.TwinValidationNmse is null
        ? ReportFormat.None
        : $"{ReportFormat.Fixed(result.TwinValidationNmse, 4)} ({ReportFormat.Fixed(result.NoiseFloorNmse, 4)})";

    private static string Seconds(double? seconds) => seconds is null ? ReportFormat.None
        : $"{ReportFormat.Fixed(seconds, 0)} s";

    private static double? Mean(IEnumerable<double?> values)
    {
        var list = values.ToList();
        return list.Count > 0 && list.All(v => v is not null) ? list.Average() : null;
    }

    private static double? Sum(IEnumerable<double?> values)
    {
        var list = values.ToList();
        return list.Count > 0 && list.All(v => v is not null) ? list.Sum() : null;
    }
}
