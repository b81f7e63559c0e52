using System.CommandLine;
using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using Spectre.Console;

namespace Edge.Trainer.Cli;

/// <summary><c>bench pat</c>: the accuracy benchmark of the training modes on a simulated system.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var pat = new PatCommand();
        pat.Command.SetAction(async (parse, cancellationToken) =>
        {
            var options = pat.Read(parse);
            if (IsLeaveOneSpeakerOut(options.Task, parse.GetValue(pat.Split)!))
            {
                await LeaveOneSpeakerOutCommand.RunAsync(
                    options, parse.GetValue(pat.Output)?.FullName, parse.GetValue(pat.Plots)?.FullName,
                    cancellationToken).ConfigureAwait(false);
                return 0;
            }

            var result = await RunAndReportAsync(
                options, parse.GetValue(pat.Output)?.FullName, parse.GetValue(pat.Plots)?.FullName,
                cancellationToken).ConfigureAwait(false);
            return result is null ? 1 : 0;
        });

        return new Command("bench", "Benchmarks that print a table and write JSON.")
            { pat.Command, DriftBenchCommand.Create(), FrontEndBenchCommand.Create(), BenchMergeCommand.Create() };
    }

    /// <summary>
    /// The options of a <c>bench pat</c> command line (<c>bench pat</c> and the verb left out), as recorded in a bench
    /// result's <c>run.arguments</c>; the split and output options are read and ignored.
    /// </summary>
    internal static PatBenchmarkOptions ParseRecorded(IReadOnlyList<string> arguments)
    {
        var pat = new PatCommand();
        var parse = pat.Command.Parse([.. arguments]);
        if (parse.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", parse.Errors.Select(e => e.Message)));
        }

        return pat.Read(parse);
    }

    public static async Task<PatBenchmarkResult?> RunAndReportAsync(PatBenchmarkOptions options, string? jsonPath,
        string? plotDirectory, CancellationToken cancellationToken)
    {
        // Fail on a bad system or missing data before announcing a run.
        _ = PatBenchmark.SystemFor(options.System, options.ResolvedArchitecture);
        var task = BenchTasks.Load(
            options.Task, options.Features, options.Augment, options.Cepstra, options.SpeechCache, options.Speech);
        var modes = string.Join(",", options.Modes.Select(m => m.Name()));
        AnsiConsole.MarkupLine(
            $"[bold]bench pat[/]: task [cyan]{options.Task}[/], system [cyan]{options.System}[/] "
            + $"([cyan]{options.Profile.Name()}[/] profile), architecture "
            + $"[cyan]{options.ResolvedArchitecture.Name()}[/], modes [cyan]{modes}[/], {options.Seeds} seed(s), "
            + $"{options.Training.Epochs} epochs, {options.Threads} thread(s)");
        var result = await ProgressReporter.RunAsync(
            report => PatBenchmark.RunAsync(options, report, cancellationToken)).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(BenchReport.ToMarkdown(result));
        if (jsonPath is not null)
        {
            BenchReport.Write(result, jsonPath);
            Console.WriteLine($"JSON: {jsonPath}");
        }

        if (plotDirectory is not null)
        {
            foreach (var file in Plots.WriteAll(result, plotDirectory, Plots.Stem(result, jsonPath), task.ClassNames))
            {
                Console.WriteLine($"plot: {file}");
            }
        }

        return result;
    }

    internal static bool IsLeaveOneSpeakerOut(string task, string split) => split.Trim().ToLowerInvariant() switch
    {
        "conventional" => false,
        "loso" when task.Trim().Equals("fsdd", StringComparison.OrdinalIgnoreCase) => true,
        "loso" => throw new ArgumentException($"--split loso applies to --task fsdd only, not '{task}'."),
        _ => throw new ArgumentException($"Unknown split '{split}'. Valid splits: conventional, loso."),
    };

    internal static IReadOnlyList<TrainingMode> ParseModes(string text)
    {
        var modes = text.Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TrainingModes.Parse)
                .Distinct().ToList();
        return modes.Count > 0 ? modes
            : throw new ArgumentException($"--modes names no mode. Valid modes: {TrainingModes.Valid}.");
    }

    private static readonly CommandLineNames<TwinKind> TwinNames = new(
        "twin",
        "twins",
        new(TwinKind.Mlp, "mlp", null, "blackbox", "black-box"),
        new(TwinKind.GrayBox, "graybox", null, "gray-box", "greybox"));

    internal static FsddFeatures ParseFeatures(string text) => FsddFeatureNames.Parse(text);

    internal static TwinKind ParseTwin(string text) => TwinNames.Parse(text);

    internal static Edge.Domain.Simulation.Field.DeviceProfile ParseProfile(string text)
        => Edge.Domain.Simulation.Field.DeviceProfiles.Parse(text);

    internal static double PositiveRate(double value, string option)
        => value is > 0 and < 1 ? value : throw new ArgumentException($"{option} must be in (0, 1), was {value}.");

    internal static double NonNegative(double value, string option)
        => double.IsFinite(value) && value >= 0 ? value
            : throw new ArgumentException($"{option} must be zero or a positive number, was {value}.");

    internal static double Positive(double value, string option)
        => double.IsFinite(value) && value > 0 ? value
            : throw new ArgumentException($"{option} must be a positive number, was {value}.");

    internal static int Positive(int value, string option)
        => value > 0 ? value : throw new ArgumentException($"{option} must be a positive number, was {value}.");

    internal static int ScanCount(int value)
        => value is >= 1 and <= ImageScans.MaxScans ? value
            : throw new
                ArgumentException($"--scans must be 1 to {ImageScans.MaxScans} (rows, columns, rows backwards, columns "
                    + $"backwards), was {value}.");
}

/// <summary>The <c>bench pat</c> command: the recipe options plus split, modes, seeds and outputs.</summary>
internal sealed class PatCommand
{
    private readonly RecipeOptions _recipe = new();

    private readonly Option<string> _modes = new("--modes")
    {
        Description = $"Comma-separated modes: {TrainingModes.Valid}.",
        DefaultValueFactory = _ => "insilico,pat,ideal",
    };

    private readonly Option<int> _seeds = new("--seeds")
    {
        Description = "Number of seeds (--first-seed onwards).", DefaultValueFactory = _ => 3,
    };

    private readonly Option<int> _firstSeed = new("--first-seed")
    {
        Description = "First seed (0 unless adding seeds to an earlier run's; runs of one seed each can run side by "
            + "side).",
        DefaultValueFactory = _ => 0,
    };

    public PatCommand()
    {
        Command = new Command(
            "pat", "Train the same PNN in-silico, with PAT, ideal (and pat-refine); evaluate each through the device.");
        foreach (var option in _recipe.All)
        {
            Command.Options.Add(option);
        }

        Command.Options.Add(Split);
        Command.Options.Add(_modes);
        Command.Options.Add(_seeds);
        Command.Options.Add(_firstSeed);
        Command.Options.Add(Output);
        Command.Options.Add(Plots);
    }

    public Command Command { get; }

    public Option<string> Split { get; } = new("--split")
    {
        Description = "FSDD split: conventional (recordings 0-4 test) or loso (leave one speaker out, every speaker).",
        DefaultValueFactory = _ => "conventional",
    };

    public Option<FileInfo?> Output { get; } = new("--out")
    {
        Description = "Write the result JSON here (details beside it).",
    };

    public Option<DirectoryInfo?> Plots { get; } = new("--plots") { Description = "Write PNG plots into this folder." };

    public PatBenchmarkOptions Read(ParseResult parse) => _recipe.Read(parse) with
    {
        Modes = BenchCommand.ParseModes(parse.GetValue(_modes)!),
        Seeds = BenchCommand.Positive(parse.GetValue(_seeds), "--seeds"),
        FirstSeed = parse.GetValue(_firstSeed) is >= 0 and var first ? first
            : throw new ArgumentException("--first-seed must be zero or positive."),
    };
}
