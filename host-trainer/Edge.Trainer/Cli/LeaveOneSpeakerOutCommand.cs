using System.Globalization;
using System.Text;
using Edge.Trainer.Bench;
using Edge.Trainer.Training;

namespace Edge.Trainer.Cli;

/// <summary><c>bench pat --task fsdd --split loso</c>: one full benchmark per held-out speaker, then the per-speaker
/// table.</summary>
internal static class LeaveOneSpeakerOutCommand
{
    public static async Task RunAsync(PatBenchmarkOptions options, string? jsonPath, string? plotDirectory,
        CancellationToken cancellationToken)
    {
        var folds = new List<(string Speaker, PatBenchmarkResult Result)>();
        foreach (var speaker in BenchTasks.FsddCorpus.Speakers)
        {
            var foldJson = jsonPath is null ? null
                : Path.Combine(Path.GetDirectoryName(jsonPath)!,
                    $"{Path.GetFileNameWithoutExtension(jsonPath)}-{speaker}.json");
            var foldPlots = plotDirectory is null ? null : Path.Combine(plotDirectory, speaker);
            var result = await BenchCommand.RunAndReportAsync(options
                with { Task = BenchTasks.FsddLosoPrefix + speaker }, foldJson, foldPlots,
                    cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                folds.Add((speaker, result));
            }
        }

        Console.WriteLine();
        Console.WriteLine(Table(options.Modes, folds));
    }

    /// <summary>Markdown table: one row per held-out speaker, one column per mode (mean over seeds), and the mean
    /// row.</summary>
    internal static string Table(IReadOnlyList<TrainingMode> modes,
        IReadOnlyList<(string Speaker, PatBenchmarkResult Result)> folds)
    {
        var text = new StringBuilder("| held-out speaker |");
        foreach (var mode in modes)
        {
            text.Append(CultureInfo.InvariantCulture, $" {mode.Name()} |");
        }

        text.AppendLine().Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", modes.Count))).AppendLine();
        foreach (var (speaker, result) in folds)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {speaker} |");
            foreach (var mode in modes)
            {
                text.Append(CultureInfo.InvariantCulture, $" {result.Mean(mode):P1} |");
            }

            text.AppendLine();
        }

        text.Append("| **mean** |");
        foreach (var mode in modes)
        {
            text.Append(CultureInfo.InvariantCulture, $" **{folds.Average(f => f.Result.Mean(mode)):P1}** |");
        }

        return text.AppendLine().ToString();
    }
}
