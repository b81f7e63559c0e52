using System.CommandLine;
using System.Text.Json;
using Edge.Domain.IO;
using Edge.Trainer.Bench;
using Edge.Trainer.Reporting;

namespace Edge.Trainer.Cli;

/// <summary><c>bench drift</c>: the drift score over a grid of part changes, in simulated time.</summary>
internal static class DriftBenchCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo?>("--out") { Description = "Write the result JSON here." };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the part and the model.",
            DefaultValueFactory = _ => 1,
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Training epochs of the vowel model (ideal gradients).",
            DefaultValueFactory = _ => new DriftBenchOptions().Epochs,
        };
        var probes = new Option<int>("--probes")
        {
            Description = "Labelled probes played per pass (every k-th training example).",
            DefaultValueFactory = _ => new DriftBenchOptions().Probes,
        };
        var score = new Option<string>("--score")
        {
            Description = "Which score: 'probe' (the trainer's probe drift score) or 'live' (the agent's live "
                + "accuracy as the watch reads it, scored over probe schedules, windows, references and thresholds).",
            DefaultValueFactory = _ => "probe",
        };
        score.AcceptOnlyFromAmong("probe", "live");
        var dayMinutes = new Option<double>("--day-minutes")
        {
            Description = "With --score live: simulated minutes of the no-change row (false alarms per day).",
            DefaultValueFactory = _ => new LiveAccuracyBenchOptions().NoChangeMinutes,
        };
        var seeds = new Option<int[]>("--seeds")
        {
            Description = "With --score live: seeds of the parts and models (one each; default 1 2 3).",
            AllowMultipleArgumentsPerToken = true,
        };
        var drift = new Command(
            "drift",
            "Cause each change of a grid (temperature, ageing, settling, gain, part swap) on a simulated part and "
            + "report its accuracy cost, whether the probe drift score detected it, how fast (simulated time) and "
            + "false alarms.")
        {
            output, seed, epochs, probes, score, dayMinutes, seeds,
        };
        drift.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(score) == "live")
            {
                var live = new LiveAccuracyBenchOptions
                {
                    Seeds = parse.GetValue(seeds) is { Length: > 0 } given
                        ? [.. given.Select(s => (ulong)BenchCommand.Positive(s, "--seeds"))]
                        : new LiveAccuracyBenchOptions().Seeds,
                    Epochs = BenchCommand.Positive(parse.GetValue(epochs), "--epochs"),
                    NoChangeMinutes = parse.GetValue(dayMinutes),
                };
                return await RunLiveAsync(live, parse.GetValue(output), cancellationToken).ConfigureAwait(false);
            }

            var options = new DriftBenchOptions
            {
                Seed = (ulong)BenchCommand.Positive(parse.GetValue(seed), "--seed"),
                Epochs = BenchCommand.Positive(parse.GetValue(epochs), "--epochs"),
                Probes = BenchCommand.Positive(parse.GetValue(probes), "--probes"),
            };
            Console.WriteLine(
                $"bench drift: electronic part, vowels, {options.Probes} probes × {options.ProbePasses} passes every "
                + $"{options.CheckInterval.TotalSeconds:F0} s (simulated), traffic {options.InferencesPerSecond} "
                + "inference/s");
            var result = await DriftBench.RunAsync(
                options, row => Console.WriteLine(DriftBench.Format(row)), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(output) is { } file)
            {
                var json = DriftBench.ToJson(result, BenchRunInfo.DescribeCurrentProcess("host-trainer/Edge.Trainer"));
                Directory.CreateDirectory(file.DirectoryName!);
                var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                AtomicFile.WriteAllText(file.FullName, text);
                Console.WriteLine($"JSON: {file.FullName}");
            }

            return 0;
        });
        return drift;
    }

    private static async Task<int> RunLiveAsync(
        LiveAccuracyBenchOptions options, FileInfo? output, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        Console.WriteLine(
            $"bench drift --score live: electronic part, vowels, a probe round every {options.RoundSeconds:F0} s "
            + $"(simulated), trainer checks every {options.CheckSeconds:F0} s, traffic {options.InferencesPerSecond} "
            + $"inference/s; no-change row {options.NoChangeMinutes:F0} min");
        // The run block says when the run started and how loaded the machine was then.
        var run = BenchRunInfo.DescribeCurrentProcess("host-trainer/Edge.Trainer");
        var result = await LiveAccuracyBench.RunAsync(
            options, s => Console.WriteLine(LiveAccuracyBench.Format(s)), cancellationToken).ConfigureAwait(false);
        foreach (var score in result.Scores)
        {
            Console.WriteLine(LiveAccuracyBench.Format(score));
        }

        var chosen = LiveAccuracyScoring.Choose(result.Scores);
        Console.WriteLine(chosen is null
            ? "No setting met the target."
            : $"Chosen: {LiveAccuracyBench.Format(chosen)}");
        if (output is not null)
        {
            var json = LiveAccuracyBench.ToJson(result, run);
            Directory.CreateDirectory(output.DirectoryName!);
            AtomicFile.WriteAllText(
                output.FullName, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"JSON: {output.FullName}");
        }

        return 0;
    }
}
