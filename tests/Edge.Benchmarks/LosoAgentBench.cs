using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Commissioning;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Bench;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Recipes;

namespace Edge.Benchmarks;

/// <summary>
/// <c>loso-agent --bench fold.json [--speakers a,b] [--parts p,q] [--order-seed N] [--noise kind:dB,…]
/// [--commission] [--out file.json]</c>: does the
/// leave-one-speaker-out figure survive deployment? For each fold of a <c>bench pat --split loso</c> run
/// (<c>&lt;stem&gt;-&lt;speaker&gt;.json</c> beside <c>--bench</c>), the fold's recipe (PAT, seed 0) is rebuilt as
/// <c>edge-trainer package --recipe</c> rebuilds it, signed as a product-line package and installed with
/// <c>edge-agent models install</c> on one agent per part of <c>--parts</c> (the recipe's part first; a
/// <see cref="CommissionField"/>: mosquitto with the shipped configuration, one <c>edge-agent run</c> per part), and
/// the held-out speaker's 500 WAV files are classified with a real <c>edge-agent classify</c> process on that part's
/// model store: once in a seeded random order, and on the trained part also in name order (each digit's recordings in
/// a row, the worst case for running device statistics). With <c>--noise white:20,babble:10</c> the trained part
/// also classifies the held-out words with that room noise mixed in (<see cref="RoomNoise.ForCorpus"/>, written as
/// 16-bit WAV files as a microphone would record them), in the same random order. With <c>--commission</c> every
/// other part is then commissioned as <c>serve --commission</c> commissions it (its own twin, a short PAT fine-tune
/// through its agent, a package signed for it) and, if its agent accepts the package, the random order is classified
/// again. Prints a table and writes JSON.
/// </summary>
internal static class LosoAgentBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var bench = AgentRssBench.Option(args, "--bench", "artifacts/loso-device/fsdd-loso-device.json");
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/loso-agent.json");
        var orderSeed = int.Parse(AgentRssBench.Option(args, "--order-seed", "1"), CultureInfo.InvariantCulture);
        var speakers = AgentRssBench.Option(args, "--speakers", "george,jackson,lucas,nicolas,theo").Split(',');
        var noises = RoomConditions(AgentRssBench.Option(args, "--noise", ""));
        var commission = args.Contains("--commission");
        var executables = FaultExecutables.BesideThisAssembly();
        var agent = executables.Agent;
        var folder = Directory.CreateTempSubdirectory("edge-loso-agent-").FullName;
        var rows = new JsonArray();
        string[]? parts = null;
        var system = "";
        Console.WriteLine("| held-out speaker | bench pat | bench digital | rebuilt (pipeline) | agent part | "
            + "agent, random order | agent, name order |"
            + string.Concat(noises.Select(n => $" {n.Name} |")) + " seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|" + string.Concat(noises.Select(_ => "---|")) + "---|");
        foreach (var speaker in speakers)
        {
            var foldJson = Path.Combine(
                Path.GetDirectoryName(Path.GetFullPath(bench))!,
                $"{Path.GetFileNameWithoutExtension(bench)}-{speaker}.json");
            var recipe = TrainingRecipeJson.Load(foldJson) with { Mode = "pat", Seed = 0 };
            parts ??= PartsOf(args, recipe.Part);
            system = recipe.System;
            var benchFigures = JsonNode.Parse(await File.ReadAllTextAsync(foldJson))!["modes"]!;
            var clock = Stopwatch.StartNew();
            // The field's folder is right under the bench's, which it opens to mosquitto's own user.
            var fold = Path.Combine(folder, speaker);
            await using var field = await CommissionField.StartAsync(
                fold, executables, parts[1..], ProductLine.Benched(recipe, Fleet), AsShipped);
            var run = field.ProductLineRun!;
            var corpus = BenchTasks.CorpusFor(FsddFeatures.Mfcc, Augmentation.None, recipe.Cepstra, null).Recordings;
            var recordings = corpus.Where(r => string.Equals(r.Speaker, speaker, StringComparison.OrdinalIgnoreCase))
                .ToList();
            var shuffled = Shuffled(recordings, orderSeed);
            WavAudio[] audio = noises.Count > 0
                ? [.. corpus.Select(r => WavReader.Read(DataPaths.File("fsdd", r.File)))]
                : [];
            foreach (var part in parts)
            {
                var environment = field.Agent(part).Settings;
                var random = await ClassifyAsync(agent, environment, Originals(shuffled), fold);
                double? byName = part == recipe.Part
                    ? await ClassifyAsync(agent, environment, Originals([.. recordings.OrderBy(r => r.File)]), fold)
                    : null;
                var noisy = new JsonObject();
                foreach (var (name, kind, snr) in part == recipe.Part ? noises : [])
                {
                    var mixed = await MixAsync(corpus, audio, shuffled, (kind, snr, orderSeed), fold);
                    noisy[name] = await ClassifyAsync(agent, environment, mixed, fold);
                }

                var row = new JsonObject
                {
                    ["speaker"] = speaker,
                    ["bench_pat"] = benchFigures["pat"]?["mean"]?.GetValue<double>(),
                    ["bench_digital"] = benchFigures["digital"]?["mean"]?.GetValue<double>(),
                    ["pipeline"] = run.Result.TestAccuracy,
                    ["trained_part"] = recipe.Part,
                    ["agent_part"] = part,
                    ["agent_random_order"] = random,
                    ["agent_name_order"] = byName,
                    ["agent_random_order_noisy"] = noisy,
                    ["seconds"] = clock.Elapsed.TotalSeconds,
                };
                if (commission && part != recipe.Part)
                {
                    row["commissioned"] = await CommissionAsync(field, part, Originals(shuffled), fold);
                }

                rows.Add(row);
                var inNoise = string.Concat(noises.Select(n => $" {Percent(noisy[n.Name])} |"));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {speaker} | {Percent(row["bench_pat"])} | {Percent(row["bench_digital"])} | "
                    + $"{run.Result.TestAccuracy:P1} | {part} | {random:P1} | {Percent(row["agent_name_order"])} |"
                    + $"{inNoise} {clock.Elapsed.TotalSeconds:F0} |"));
            }
        }

        var result = new JsonObject
        {
            ["bench"] = "loso-agent",
            ["system"] = system,
            ["fold_source"] = bench,
            ["order_seed"] = orderSeed,
            ["noise"] = new JsonArray([.. noises.Select(n => JsonValue.Create(n.Name))]),
            ["commission"] = commission,
            ["parts"] = new JsonArray([.. (parts ?? []).Select(p => JsonValue.Create(p))]),
            ["processor_count"] = Environment.ProcessorCount,
            ["rows"] = rows,
        };
        BenchJson.Write(result, output);
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    // The fleet of the product-line package every part starts from.
    private const string Fleet = "digit-line";

    // The agent's own default noise seed (a FaultAgent sets another), so the rows compare with earlier runs.
    private static readonly Dictionary<string, string> AsShipped = new()
    {
        ["EDGE_DEVICE__SEED"] = PhysicalSystems.DefaultNoiseSeed.ToString(CultureInfo.InvariantCulture),
    };

    // Commissions part (serve --commission's defaults) and, if its agent accepted the package, classifies the held-out
    // words again in the same order: the calibration figures are the session's own, before and after its fine-tune.
    private static async Task<JsonObject> CommissionAsync(
        CommissionField field, string part, List<(string Path, int Digit)> order, string fold)
    {
        await field.WaitForAgentAsync(part, TimeSpan.FromSeconds(90));
        await using var store = await MeasurementStore.OpenAsync(field.StorePath);
        using var key = field.LoadKey();
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
        var clock = Stopwatch.StartNew();
        var record = await field.Commissioning(store, key, trust).CommissionAsync(part, activeVersion: 1);
        var seconds = clock.Elapsed.TotalSeconds;
        double? after = record.State == CommissioningState.Commissioned
            ? await ClassifyAsync(FaultExecutables.BesideThisAssembly().Agent, field.Agent(part).Settings, order, fold)
            : null;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  commissioning {part}: {CommissioningLedger.Name(record.State)} in {seconds:F0} s, calibration "
            + $"{record.AccuracyBefore:P1} -> {record.AccuracyAfter:P1}, agent (random order) after: "
            + $"{(after is { } a ? a.ToString("P1", CultureInfo.InvariantCulture) : "–")} ({record.Detail})"));
        return new JsonObject
        {
            ["state"] = CommissioningLedger.Name(record.State),
            ["version"] = record.Version,
            ["seconds"] = seconds,
            ["calibration_before"] = record.AccuracyBefore,
            ["calibration_after"] = record.AccuracyAfter,
            ["agent_random_order"] = after,
            ["verdict"] = record.Detail,
        };
    }

    // The recipe's own part first, then the others of --parts (default: one second part of the product line).
    private static string[] PartsOf(string[] args, string trainedPart)
    {
        var others = AgentRssBench.Option(args, "--parts", "sim-0002")
            .Split(',', StringSplitOptions.RemoveEmptyEntries);
        return [trainedPart, .. others.Where(p => p != trainedPart)];
    }

    private static string Percent(JsonNode? value)
        => value is null ? "–" : value.GetValue<double>().ToString("P1", CultureInfo.InvariantCulture);

    // "white:20,babble:10" → the room conditions, each named as bench frontend names it ("white 20 dB").
    private static List<(string Name, NoiseKind Kind, double Snr)> RoomConditions(string text)
    {
        var conditions = new List<(string, NoiseKind, double)>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            if (parts.Length != 2
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var snr))
            {
                throw new ArgumentException($"--noise '{item}': expected kind:dB, e.g. white:20 or babble:10.");
            }

            var kind = RoomNoise.Parse(parts[0]);
            conditions.Add((string.Create(CultureInfo.InvariantCulture, $"{kind.Name()} {snr:0.#} dB"), kind, snr));
        }

        return conditions;
    }

    private static List<(string Path, int Digit)> Originals(List<FsddRecording> order)
        => [.. order.Select(r => (DataPaths.File("fsdd", r.File), r.Digit))];

    // The held-out words in their order with the room mixed in, written once per condition as 16-bit WAV files.
    private static async Task<List<(string Path, int Digit)>> MixAsync(
        IReadOnlyList<FsddRecording> corpus,
        WavAudio[] audio,
        List<FsddRecording> order,
        (NoiseKind Kind, double Snr, int Seed) room,
        string fold)
    {
        var (kind, snr, seed) = room;
        var mixer = RoomNoise.ForCorpus(
            kind, snr, NoiseSource.HashId($"{kind.Name()}-{snr}") ^ (ulong)seed,
            [.. audio.Select(a => a.Samples)], [.. corpus.Select(r => r.Speaker)]);
        var folder = Directory.CreateDirectory(Path.Combine(fold, $"noise-{kind.Name()}-{snr}")).FullName;
        var index = corpus.Select((r, i) => (r.File, i)).ToDictionary(p => p.File, p => p.i, StringComparer.Ordinal);
        var files = new List<(string Path, int Digit)>();
        foreach (var recording in order)
        {
            var i = index[recording.File];
            var mixed = new float[audio[i].Samples.Length];
            mixer(i, audio[i].Samples, mixed);
            var path = Path.Combine(folder, Path.GetFileName(recording.File));
            var wav = WavWriter.Encode([.. mixed.Select(v => (double)v)], 1, audio[i].SampleRate, WavEncoding.Pcm16);
            await File.WriteAllBytesAsync(path, wav);
            files.Add((path, recording.Digit));
        }

        return files;
    }

    private static List<FsddRecording> Shuffled(List<FsddRecording> recordings, int seed)
    {
        var order = recordings.ToArray();
        new Random(seed).Shuffle(order);
        return [.. order];
    }

    // One edge-agent classify process over a folder whose names (000.wav, 001.wav, …) give the agent the order.
    private static async Task<double> ClassifyAsync(
        string agent,
        IReadOnlyDictionary<string, string> environment,
        List<(string Path, int Digit)> order,
        string fold)
    {
        var inputs = Path.Combine(fold, "inputs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(inputs);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < order.Count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"{i:D4}.wav");
            File.CreateSymbolicLink(Path.Combine(inputs, name), order[i].Path);
            expected[name] = FsddDataset.ClassNames[order[i].Digit];
        }

        var start = new ProcessStartInfo(agent) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("classify");
        start.ArgumentList.Add(inputs);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"edge-agent classify exited {process.ExitCode}: {await error}");
        }

        var correct = lines.Skip(1).Select(l => l.Split('\t')).Count(c => expected[c[0]] == c[1]);
        if (lines.Length - 1 != order.Count)
        {
            throw new InvalidOperationException(
                $"edge-agent classify gave {lines.Length - 1} rows for {order.Count} files.");
        }

        return (double)correct / order.Count;
    }
}
