using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Edge.Domain.IO;
using Edge.Trainer.Bench;
using Edge.Trainer.Reporting;

namespace Edge.Trainer.Cli;

/// <summary><c>bench frontend</c>: unseen-speaker digit accuracy per audio normalisation, clean and noisy.</summary>
internal static class FrontEndBenchCommand
{
    public static Command Create()
    {
        var defaults = new FrontEndBenchOptions();
        var output = new Option<FileInfo?>("--out") { Description = "Write the result JSON here." };
        var normalisations = new Option<string>("--normalisations")
        {
            Description = "Comma-separated: global (training-split statistics), cmvn (per utterance), device (running "
                + "statistics of the utterances heard so far) and speaker (all of a speaker's recordings; not causal).",
            DefaultValueFactory = _ => string.Join(",", defaults.Normalisations.Select(n => n.Name())),
        };
        var speakers = new Option<string>("--speakers")
        {
            Description = "Comma-separated held-out speakers (one fold each); empty = every speaker.",
            DefaultValueFactory = _ => string.Empty,
        };
        var noises = new Option<string>("--noises")
        {
            Description = "Comma-separated noises of the test conditions: white, pink, babble (four other "
                + "speakers of the data set at once).",
            DefaultValueFactory = _ => "white,pink,babble",
        };
        var snr = new Option<string>("--snr")
        {
            Description = "Comma-separated signal-to-noise ratios of the test conditions, in dB.",
            DefaultValueFactory = _ => "20,10,5",
        };
        var augment = new Option<string>("--augment")
        {
            Description = "Training-time noise augmentation: none, noise (one noisy copy of every training recording, "
                + "white or pink at 0-25 dB) or both (run each).",
            DefaultValueFactory = _ => "both",
        };
        var maxIndex = new Option<int>("--max-index")
        {
            Description = "Keep only recordings with index <= this (0-49; smaller is a faster, reduced run).",
            DefaultValueFactory = _ => defaults.MaxIndex,
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Training epochs of each network.",
            DefaultValueFactory = _ => defaults.Epochs,
        };
        var window = new Option<int>("--device-window")
        {
            Description = "Utterances the device normalisation's running statistics average over.",
            DefaultValueFactory = _ => defaults.DeviceWindow,
        };
        var warmUp = new Option<int>("--device-warm-up")
        {
            Description = "Weight, in utterances, of the training statistics the device normalisation starts from.",
            DefaultValueFactory = _ => defaults.DeviceWarmUp,
        };
        var command = new Command(
            "frontend",
            "Leave-one-speaker-out FSDD accuracy through the agent's audio front end for each normalisation, clean "
            + "and with white, pink and babble noise at each SNR, with and without noisy training copies (a small "
            + "digital network).")
        {
            output, normalisations, speakers, noises, snr, augment, maxIndex, epochs, window, warmUp,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new FrontEndBenchOptions
            {
                Normalisations = [.. Items(parse.GetValue(normalisations)!).Select(FrontEndBench.ParseNormalisation)],
                Speakers = [.. Items(parse.GetValue(speakers)!)],
                Noises = [.. Items(parse.GetValue(noises)!).Select(RoomNoise.Parse)],
                SnrDb = [.. Items(parse.GetValue(snr)!).Select(Decibels)],
                Augmentations = Augmentations(parse.GetValue(augment)!),
                MaxIndex = BenchCommand.Positive(parse.GetValue(maxIndex), "--max-index"),
                Epochs = BenchCommand.Positive(parse.GetValue(epochs), "--epochs"),
                DeviceWindow = BenchCommand.Positive(parse.GetValue(window), "--device-window"),
                DeviceWarmUp = BenchCommand.Positive(parse.GetValue(warmUp), "--device-warm-up"),
            };
            Console.WriteLine(
                $"bench frontend: FSDD leave one speaker out, recordings 0-{options.MaxIndex}, "
                + $"{options.Epochs} epochs, "
                + $"normalisations {string.Join(",", options.Normalisations.Select(n => n.Name()))}");
            var rows = await FrontEndBench.RunAsync(
                options,
                r => Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {r.Normalisation.Name(),-8} augment={(r.Augmented ? "yes" : "no "),-3} {r.Speaker,-8} "
                    + $"{r.Condition,-14} {r.Accuracy:P1}")),
                cancellationToken).ConfigureAwait(false);
            Console.WriteLine();
            Console.WriteLine(FrontEndBench.Table(rows));
            if (parse.GetValue(output) is { } file)
            {
                var run = BenchRunInfo.DescribeCurrentProcess("host-trainer/Edge.Trainer");
                var json = FrontEndBench.ToJson(options, rows, run);
                Directory.CreateDirectory(file.DirectoryName!);
                var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                AtomicFile.WriteAllText(file.FullName, text);
                Console.WriteLine($"JSON: {file.FullName}");
            }

            return 0;
        });
        return command;
    }

    private static string[] Items(string text)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static double Decibels(string text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var db) && double.IsFinite(db)
            ? db
            : throw new ArgumentException($"--snr '{text}' is not a number of dB.");

    private static IReadOnlyList<bool> Augmentations(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => [false],
        "noise" => [true],
        "both" => [false, true],
        _ => throw new ArgumentException($"Unknown --augment '{text}'. Valid: none, noise, both."),
    };
}
