using System.CommandLine;
using Edge.Trainer.Bench;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Spectre.Console;

namespace Edge.Trainer.Cli;

/// <summary><c>bench pat</c>: the accuracy benchmark of the training modes on a simulated system.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Task: vowels, mnist or fsdd.", DefaultValueFactory = _ => "vowels" };
        var split = new Option<string>("--split") { Description = "FSDD split: conventional (recordings 0-4 test) or loso (leave one speaker out, every speaker).", DefaultValueFactory = _ => "conventional" };
        var system = new Option<string>("--system") { Description = "Physical system: electronic, mechanical, optical or duffing.", DefaultValueFactory = _ => "electronic" };
        var modes = new Option<string>("--modes") { Description = $"Comma-separated modes: {TrainingModes.Valid}.", DefaultValueFactory = _ => "insilico,pat,ideal" };
        var seeds = new Option<int>("--seeds") { Description = "Number of seeds (0..N-1).", DefaultValueFactory = _ => 3 };
        var output = new Option<FileInfo?>("--out") { Description = "Write the result JSON here (details beside it)." };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "Write PNG plots into this folder." };
        var twin = new Option<string>("--twin") { Description = "Twin: mlp (black-box) or graybox (calibrated physics).", DefaultValueFactory = _ => "mlp" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 100 };
        var learningRate = new Option<double>("--learning-rate") { Description = "Adam learning rate of the PNN training.", DefaultValueFactory = _ => new TrainingOptions().LearningRate };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant or cosine (down to zero at the last step).", DefaultValueFactory = _ => new TrainingOptions().Schedule.Name() };
        var inputNoise = new Option<double>("--input-noise") { Description = "Standard deviation of Gaussian noise added to the training inputs each time they are drawn (0 = none).", DefaultValueFactory = _ => 0 };
        var directions = new Option<int>("--directions")
        {
            Description = "zo and local: random ±1 SPSA directions per step (each costs 2 device passes).",
            DefaultValueFactory = _ => new TrainingOptions().PerturbationDirections,
        };
        var perturbation = new Option<double>("--perturbation")
        {
            Description = "zo and local: SPSA perturbation c as a fraction of each value's scale.",
            DefaultValueFactory = _ => new TrainingOptions().PerturbationSize,
        };
        var perturbationRate = new Option<double>("--perturbation-learning-rate")
        {
            Description = "zo and local: Adam learning rate (in place of --learning-rate).",
            DefaultValueFactory = _ => new TrainingOptions().PerturbationLearningRate,
        };
        var twinSamples = new Option<int>("--twin-samples") { Description = "Drives measured to fit the twin.", DefaultValueFactory = _ => 20_000 };
        var twinRepeats = new Option<int>("--twin-repeats") { Description = "Measurements averaged per twin drive.", DefaultValueFactory = _ => 1 };
        var twinEpochs = new Option<int>("--twin-epochs") { Description = "Epochs of the black-box twin fit.", DefaultValueFactory = _ => 60 };
        var architecture = new Option<string>("--architecture") { Description = "Network: auto (pixel drive for MNIST on electronic/mechanical, wide hybrid for MNIST on optical, standard otherwise), standard, wide or pixel-drive.", DefaultValueFactory = _ => "auto" };
        var width = new Option<int>("--width") { Description = "Physical branches per bank of the wide hybrid.", DefaultValueFactory = _ => new PatBenchmarkOptions().Width };
        var layers = new Option<int>("--layers") { Description = "Physical layers in series in the wide and pixel-drive networks.", DefaultValueFactory = _ => new PatBenchmarkOptions().Layers };
        var scans = new Option<int>("--scans") { Description = "Scan orders of the image in the pixel-drive network: 1 rows, 2 rows and columns, 3-4 also backwards.", DefaultValueFactory = _ => new PatBenchmarkOptions().PixelDriveScans };
        var features = new Option<string>("--features") { Description = "FSDD front end: mfcc (pooled MFCCs, what packages ship), speaker (mfcc standardised per speaker; a held-out speaker by its own unlabelled recordings) or normalised (cepstral mean normalisation + deltas).", DefaultValueFactory = _ => "mfcc" };
        var cepstra = new Option<int>("--cepstra") { Description = "FSDD front end: cepstral coefficients per frame (c0 included).", DefaultValueFactory = _ => BenchTasks.DefaultCepstra };
        var augment = new Option<string>("--augment") { Description = "Training augmentation: none, speed (fsdd: copies at 0.9x and 1.1x speed), voices (fsdd: the digits spoken by a hundred espeak-ng voices as extra training speakers) or shift (mnist: copies moved by one pixel each way).", DefaultValueFactory = _ => "none" };
        var speechCache = new Option<DirectoryInfo>("--speech-cache") { Description = "Folder of the synthesised recordings of --augment voices (made once, then reused).", DefaultValueFactory = _ => new DirectoryInfo(BenchTasks.DefaultSpeechCache) };
        var threads = new Option<int>("--threads") { Description = "Worker threads.", DefaultValueFactory = _ => Environment.ProcessorCount };

        var pat = new Command("pat", "Train the same PNN in-silico, with PAT, ideal (and pat-refine); evaluate each through the device.")
        {
            task, split, system, modes, seeds, output, plots, twin, epochs, learningRate, schedule, inputNoise, directions, perturbation, perturbationRate, twinSamples, twinRepeats, twinEpochs, architecture, width, layers, scans, features, cepstra, augment, speechCache, threads,
        };
        pat.SetAction(async (parse, cancellationToken) =>
        {
            var options = new PatBenchmarkOptions
            {
                Task = parse.GetValue(task)!,
                System = parse.GetValue(system)!,
                Modes = ParseModes(parse.GetValue(modes)!),
                Seeds = Positive(parse.GetValue(seeds), "--seeds"),
                Twin = ParseTwin(parse.GetValue(twin)!),
                TwinData = new TwinDataOptions
                {
                    Samples = Positive(parse.GetValue(twinSamples), "--twin-samples"),
                    Repeats = Positive(parse.GetValue(twinRepeats), "--twin-repeats"),
                },
                MlpTwin = new MlpTwinOptions { Epochs = Positive(parse.GetValue(twinEpochs), "--twin-epochs"), Threads = Positive(parse.GetValue(threads), "--threads") },
                Training = new TrainingOptions { Epochs = Positive(parse.GetValue(epochs), "--epochs"), LearningRate = PositiveRate(parse.GetValue(learningRate), "--learning-rate"), Schedule = LearningRateSchedules.Parse(parse.GetValue(schedule)!), InputNoise = NonNegative(parse.GetValue(inputNoise), "--input-noise"), PerturbationDirections = Positive(parse.GetValue(directions), "--directions"), PerturbationSize = PositiveRate(parse.GetValue(perturbation), "--perturbation"), PerturbationLearningRate = PositiveRate(parse.GetValue(perturbationRate), "--perturbation-learning-rate") },
                Architecture = PnnArchitectureNames.Parse(parse.GetValue(architecture)!),
                Width = Positive(parse.GetValue(width), "--width"),
                Layers = Positive(parse.GetValue(layers), "--layers"),
                PixelDriveScans = ScanCount(parse.GetValue(scans)),
                Features = ParseFeatures(parse.GetValue(features)!),
                Cepstra = Positive(parse.GetValue(cepstra), "--cepstra"),
                Augment = Augmentations.Parse(parse.GetValue(augment)!),
                SpeechCache = parse.GetValue(speechCache)!.FullName,
                Threads = Positive(parse.GetValue(threads), "--threads"),
            };
            if (IsLeaveOneSpeakerOut(options.Task, parse.GetValue(split)!))
            {
                await LeaveOneSpeakerOutCommand.RunAsync(options, parse.GetValue(output)?.FullName, parse.GetValue(plots)?.FullName, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            var result = await RunAndReportAsync(options, parse.GetValue(output)?.FullName, parse.GetValue(plots)?.FullName, cancellationToken).ConfigureAwait(false);
            return result is null ? 1 : 0;
        });

        return new Command("bench", "Benchmarks that print a table and write JSON.")
            { pat, DriftBenchCommand.Create() };
    }

    public static async Task<PatBenchmarkResult?> RunAndReportAsync(PatBenchmarkOptions options, string? jsonPath, string? plotDirectory, CancellationToken cancellationToken)
    {
        // Fail on a bad system or missing data before announcing a run.
        _ = PatBenchmark.SystemFor(options.System, options.ResolvedArchitecture);
        var task = BenchTasks.Load(options.Task, options.Features, options.Augment, options.Cepstra, options.SpeechCache);
        AnsiConsole.MarkupLine($"[bold]bench pat[/]: task [cyan]{options.Task}[/], system [cyan]{options.System}[/], architecture [cyan]{options.ResolvedArchitecture.Name()}[/], modes [cyan]{string.Join(",", options.Modes.Select(m => m.Name()))}[/], {options.Seeds} seed(s), {options.Training.Epochs} epochs, {options.Threads} thread(s)");
        var result = await ProgressReporter.RunAsync(report => PatBenchmark.RunAsync(options, report, cancellationToken)).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(BenchReport.ToMarkdown(result));
        if (jsonPath is not null)
        {
            BenchReport.Write(result, jsonPath);
            Console.WriteLine($"JSON: {jsonPath}");
        }

        if (plotDirectory is not null)
        {
            foreach (var file in Plots.WriteAll(result, plotDirectory, task.ClassNames))
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
        var modes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TrainingModes.Parse).Distinct().ToList();
        return modes.Count > 0 ? modes : throw new ArgumentException($"--modes names no mode. Valid modes: {TrainingModes.Valid}.");
    }

    private static readonly CommandLineNames<TwinKind> TwinNames = new(
        "twin",
        "twins",
        new(TwinKind.Mlp, "mlp", null, "blackbox", "black-box"),
        new(TwinKind.GrayBox, "graybox", null, "gray-box", "greybox"));

    internal static FsddFeatures ParseFeatures(string text) => FsddFeatureNames.Parse(text);

    internal static TwinKind ParseTwin(string text) => TwinNames.Parse(text);

    internal static double PositiveRate(double value, string option)
        => value is > 0 and < 1 ? value : throw new ArgumentException($"{option} must be in (0, 1), was {value}.");

    internal static double NonNegative(double value, string option)
        => double.IsFinite(value) && value >= 0 ? value : throw new ArgumentException($"{option} must be zero or a positive number, was {value}.");

    internal static int Positive(int value, string option)
        => value > 0 ? value : throw new ArgumentException($"{option} must be a positive number, was {value}.");

    internal static int ScanCount(int value)
        => value is >= 1 and <= ImageScans.MaxScans ? value : throw new ArgumentException($"--scans must be 1 to {ImageScans.MaxScans} (rows, columns, rows backwards, columns backwards), was {value}.");
}
