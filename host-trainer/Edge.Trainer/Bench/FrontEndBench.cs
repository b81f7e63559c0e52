using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Cli;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Bench;

/// <summary>How <c>bench frontend</c> standardises the utterance vectors a model sees.</summary>
public enum FrontEndNormalisation
{
    /// <summary>The training split's mean and deviation (what packages shipped so far).</summary>
    Global,

    /// <summary>Per-utterance cepstral mean and variance normalisation, then the training split's statistics.</summary>
    Utterance,

    /// <summary>
    /// Training speakers by their own statistics; the held-out speaker by <see cref="DeviceFeatureStatistics"/>, the
    /// agent's running statistics over the utterances it has heard so far (causal, no labels).
    /// </summary>
    Device,

    /// <summary>Every speaker by the statistics of all their recordings, the test speaker's too (not causal).</summary>
    Speaker,
}

/// <summary>What <c>bench frontend</c> is told.</summary>
public sealed record FrontEndBenchOptions
{
    /// <summary>Normalisations compared.</summary>
    public IReadOnlyList<FrontEndNormalisation> Normalisations { get; init; } =
    [
        FrontEndNormalisation.Global,
        FrontEndNormalisation.Utterance,
        FrontEndNormalisation.Device,
        FrontEndNormalisation.Speaker,
    ];

    /// <summary>Held-out speakers (one fold each); empty = every speaker.</summary>
    public IReadOnlyList<string> Speakers { get; init; } = [];

    /// <summary>Noises of the test conditions (each at every <see cref="SnrDb"/>, plus the clean condition).</summary>
    public IReadOnlyList<NoiseKind> Noises { get; init; } = [NoiseKind.White, NoiseKind.Pink, NoiseKind.Babble];

    /// <summary>Signal-to-noise ratios of the test conditions in dB.</summary>
    public IReadOnlyList<double> SnrDb { get; init; } = [20, 10, 5];

    /// <summary>Run without training-time noise augmentation, with it, or both.</summary>
    public IReadOnlyList<bool> Augmentations { get; init; } = [false, true];

    /// <summary>Lowest and highest SNR (dB) of the augmentation's noisy copies, drawn uniformly per copy.</summary>
    public (double Low, double High) AugmentSnrDb { get; init; } = (0, 25);

    /// <summary>Keep only recordings with index ≤ this (a reduced run).</summary>
    public int MaxIndex { get; init; } = 49;

    /// <summary>Epochs of each network's training.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Hidden units of the digital classifier.</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>Seed of the noise, the test order and the network.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary><see cref="AudioFeatureOptions.DeviceStatisticsWindow"/> of the device normalisation.</summary>
    public int DeviceWindow { get; init; } = 100;

    /// <summary><see cref="AudioFeatureOptions.DeviceStatisticsWarmUp"/> of the device normalisation.</summary>
    public int DeviceWarmUp { get; init; } = AudioFeatureOptions.DefaultDeviceStatisticsWarmUp;
}

/// <summary>One accuracy of <c>bench frontend</c>: a normalisation, augmented or not, a fold, a condition.</summary>
public sealed record FrontEndBenchRow(
    FrontEndNormalisation Normalisation, bool Augmented, string Speaker, string Condition, double Accuracy);

/// <summary>
/// Spoken digits (FSDD, leave one speaker out) through the agent's audio front end under room noise: every recording
/// clean and with white, pink and babble noise at each SNR, encoded by <see cref="AudioFrontEnd"/>, standardised by
/// each <see cref="FrontEndNormalisation"/>, classified by a small digital network trained on the other speakers —
/// with and without noisy training copies. It compares front ends, not back ends: the same network for all of them.
/// </summary>
public static class FrontEndBench
{
    private const string Clean = "clean";

    private static readonly CommandLineNames<FrontEndNormalisation> NormalisationNames = new(
        "normalisation",
        "normalisations",
        new(FrontEndNormalisation.Global, "global"),
        new(FrontEndNormalisation.Utterance, "cmvn"),
        new(FrontEndNormalisation.Device, "device"),
        new(FrontEndNormalisation.Speaker, "speaker"));

    /// <summary>Runs the benchmark, reporting each finished row.</summary>
    public static async Task<IReadOnlyList<FrontEndBenchRow>> RunAsync(
        FrontEndBenchOptions options,
        Action<FrontEndBenchRow>? report = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var corpus = FsddDataset.Load(new AudioFeatureOptions(), options.MaxIndex);
        var recordings = corpus.Recordings;
        var speakers = options.Speakers.Count > 0 ? options.Speakers : corpus.Speakers;
        foreach (var speaker in speakers)
        {
            if (!corpus.Speakers.Contains(speaker))
            {
                throw new ArgumentException(
                    $"Unknown FSDD speaker '{speaker}'. Speakers: {string.Join(", ", corpus.Speakers)}.");
            }
        }

        var audio = recordings.Select(r => WavReader.Read(DataPaths.File("fsdd", r.File))).ToArray();
        var conditions = Conditions(options, audio, recordings);
        var plain = new AudioFeatureOptions();
        var cmvn = plain with { CepstralMeanNormalisation = true, CepstralVarianceNormalisation = true };
        var encoded = new Dictionary<(bool Cmvn, string Condition), float[][]>();
        foreach (var (name, mixer) in conditions)
        {
            encoded[(false, name)] = Encode(audio, plain, mixer, cancellationToken);
            if (options.Normalisations.Contains(FrontEndNormalisation.Utterance))
            {
                encoded[(true, name)] = Encode(audio, cmvn, mixer, cancellationToken);
            }
        }

        var augment = AugmentMixer(options);
        if (options.Augmentations.Contains(true))
        {
            encoded[(false, "augment")] = Encode(audio, plain, augment, cancellationToken);
            if (options.Normalisations.Contains(FrontEndNormalisation.Utterance))
            {
                encoded[(true, "augment")] = Encode(audio, cmvn, augment, cancellationToken);
            }
        }

        var rows = new List<FrontEndBenchRow>();
        foreach (var speaker in speakers)
        {
            var isTest = recordings.Select(r => r.Speaker == speaker).ToArray();
            foreach (var augmented in options.Augmentations)
            {
                foreach (var normalisation in options.Normalisations)
                {
                    var useCmvn = normalisation == FrontEndNormalisation.Utterance;
                    var train = TrainingSet(recordings, isTest, encoded, useCmvn, augmented, normalisation);
                    var model = await TrainAsync(train, options, cancellationToken).ConfigureAwait(false);
                    foreach (var (condition, _) in conditions)
                    {
                        var vectors = encoded[(useCmvn, condition)];
                        var test = TestSet(recordings, isTest, vectors, train.Prior, normalisation, options);
                        var task = new ClassificationTask(
                            $"fsdd-loso-{speaker}", train.Set, test, FsddDataset.ClassNames);
                        var (accuracy, _, _) = await PnnTrainer.EvaluateAsync(
                            model, task, PassKind.Device, 1, cancellationToken).ConfigureAwait(false);
                        var row = new FrontEndBenchRow(normalisation, augmented, speaker, condition, accuracy);
                        rows.Add(row);
                        report?.Invoke(row);
                    }
                }
            }
        }

        return rows;
    }

    /// <summary>Name of a normalisation as the command line and the JSON spell it.</summary>
    public static string Name(this FrontEndNormalisation normalisation) => NormalisationNames.Name(normalisation);

    /// <summary>Parses a normalisation name, with an error listing the valid ones.</summary>
    public static FrontEndNormalisation ParseNormalisation(string text) => NormalisationNames.Parse(text);

    /// <summary>Markdown table: a row per normalisation and augmentation, a column per condition (fold mean).</summary>
    public static string Table(IReadOnlyList<FrontEndBenchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var conditions = rows.Select(r => r.Condition).Distinct().ToList();
        var text = new StringBuilder("| normalisation | noise augmentation |");
        text.Append(string.Concat(conditions.Select(c => $" {c} |"))).AppendLine();
        text.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", conditions.Count))).AppendLine();
        foreach (var group in rows.GroupBy(r => (r.Normalisation, r.Augmented)))
        {
            var augmented = group.Key.Augmented ? "yes" : "no";
            text.Append(CultureInfo.InvariantCulture, $"| {group.Key.Normalisation.Name()} | {augmented} |");
            foreach (var condition in conditions)
            {
                var accuracy = group.Where(r => r.Condition == condition).Average(r => r.Accuracy);
                text.Append(CultureInfo.InvariantCulture, $" {accuracy:P1} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The rows and the options as JSON, with the run's description.</summary>
    public static JsonObject ToJson(FrontEndBenchOptions options, IReadOnlyList<FrontEndBenchRow> rows, JsonObject run)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        var list = new JsonArray();
        foreach (var r in rows)
        {
            list.Add(new JsonObject
            {
                ["normalisation"] = r.Normalisation.Name(),
                ["augmented"] = r.Augmented,
                ["heldOutSpeaker"] = r.Speaker,
                ["condition"] = r.Condition,
                ["accuracy"] = Math.Round(r.Accuracy, 4),
            });
        }

        return new JsonObject
        {
            ["bench"] = "frontend",
            ["run"] = run,
            ["maxIndex"] = options.MaxIndex,
            ["epochs"] = options.Epochs,
            ["hidden"] = options.Hidden,
            ["seed"] = options.Seed,
            ["deviceWindow"] = options.DeviceWindow,
            ["deviceWarmUp"] = options.DeviceWarmUp,
            ["augmentSnrDb"] = new JsonArray(options.AugmentSnrDb.Low, options.AugmentSnrDb.High),
            ["rows"] = list,
        };
    }

    private static List<(string Name, CorpusMixer? Mix)> Conditions(
        FrontEndBenchOptions options, WavAudio[] audio, IReadOnlyList<FsddRecording> recordings)
    {
        var conditions = new List<(string, CorpusMixer?)> { (Clean, null) };
        var samples = audio.Select(a => a.Samples).ToArray();
        var speakers = recordings.Select(r => r.Speaker).ToArray();
        foreach (var kind in options.Noises)
        {
            foreach (var snr in options.SnrDb)
            {
                var salt = NoiseSource.HashId($"{kind.Name()}-{snr}") ^ options.Seed;
                var name = string.Create(CultureInfo.InvariantCulture, $"{kind.Name()} {snr:0.#} dB");
                conditions.Add((name, RoomNoise.ForCorpus(kind, snr, salt, samples, speakers)));
            }
        }

        return conditions;
    }

    // Each training recording's noisy copy: white or pink at an SNR drawn from the augmentation range.
    private static CorpusMixer AugmentMixer(FrontEndBenchOptions options) => (i, speech, mixed) =>
    {
        var random = new NoiseSource(options.Seed ^ 0xa5a5_0000UL ^ (ulong)i);
        var kind = random.NextInt(2) == 0 ? NoiseKind.White : NoiseKind.Pink;
        var snr = random.NextUniform(options.AugmentSnrDb.Low, options.AugmentSnrDb.High);
        RoomNoise.Mix(speech, kind, snr, random.NextUInt64(), mixed);
    };

    private static float[][] Encode(
        WavAudio[] audio, AudioFeatureOptions options, CorpusMixer? mixer, CancellationToken cancellationToken)
    {
        var vectors = new float[audio.Length][];
        Parallel.For(
            0,
            audio.Length,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (FrontEnd: new AudioFrontEnd(options), Buffer: new float[16_000]),
            (i, _, local) =>
            {
                var samples = audio[i].Samples;
                if (mixer is not null)
                {
                    if (local.Buffer.Length < samples.Length)
                    {
                        local.Buffer = new float[samples.Length];
                    }

                    mixer(i, samples, local.Buffer.AsSpan(0, samples.Length));
                }

                vectors[i] = new float[options.VectorLength];
                var input = mixer is null ? samples.AsSpan() : local.Buffer.AsSpan(0, samples.Length);
                local.FrontEnd.Encode(input, audio[i].SampleRate, vectors[i]);
                return local;
            },
            _ => { });
        return vectors;
    }

    private sealed record Training(LabelledSet Set, float[] PriorMean, float[] PriorScale)
    {
        public (float[] Mean, float[] Scale) Prior => (PriorMean, PriorScale);
    }

    private static Training TrainingSet(
        IReadOnlyList<FsddRecording> recordings,
        bool[] isTest,
        Dictionary<(bool Cmvn, string Condition), float[][]> encoded,
        bool cmvn,
        bool augmented,
        FrontEndNormalisation normalisation)
    {
        var clean = encoded[(cmvn, Clean)];
        var trainIndices = Enumerable.Range(0, recordings.Count).Where(i => !isTest[i]).ToList();
        var (mean, scale) = Statistics(trainIndices.Select(i => clean[i]));
        var groups = new List<(List<int> Indices, float[][] Vectors)> { (trainIndices, clean) };
        if (augmented)
        {
            groups.Add((trainIndices, encoded[(cmvn, "augment")]));
        }

        var features = new List<float[]>();
        var labels = new List<int>();
        foreach (var (indices, vectors) in groups)
        {
            var perSpeaker = normalisation is FrontEndNormalisation.Device or FrontEndNormalisation.Speaker;
            foreach (var speakerRows in indices.GroupBy(i => perSpeaker ? recordings[i].Speaker : string.Empty))
            {
                // Training speakers (and their noisy copies, a device in another room) by their own statistics.
                var (m, s) = perSpeaker ? Statistics(speakerRows.Select(i => vectors[i])) : (mean, scale);
                foreach (var i in speakerRows)
                {
                    features.Add(Standardised(vectors[i], m, s));
                    labels.Add(recordings[i].Digit);
                }
            }
        }

        return new Training(ToSet(features, labels), mean, scale);
    }

    private static LabelledSet TestSet(
        IReadOnlyList<FsddRecording> recordings,
        bool[] isTest,
        float[][] vectors,
        (float[] Mean, float[] Scale) prior,
        FrontEndNormalisation normalisation,
        FrontEndBenchOptions options)
    {
        var indices = Enumerable.Range(0, recordings.Count).Where(i => isTest[i]).ToArray();
        var features = new List<float[]>();
        var labels = new List<int>();
        switch (normalisation)
        {
            case FrontEndNormalisation.Device:
                // The device hears the held-out speaker's words in a random order and adapts as the agent does.
                new Random((int)(options.Seed % int.MaxValue)).Shuffle(indices);
                var device = new DeviceFeatureStatistics(
                    prior.Mean, prior.Scale, options.DeviceWindow, options.DeviceWarmUp);
                foreach (var i in indices)
                {
                    var vector = (float[])vectors[i].Clone();
                    device.Observe(vector);
                    device.Standardise(vector);
                    features.Add(vector);
                    labels.Add(recordings[i].Digit);
                }

                break;
            case FrontEndNormalisation.Speaker:
                var (mean, scale) = Statistics(indices.Select(i => vectors[i]));
                features.AddRange(indices.Select(i => Standardised(vectors[i], mean, scale)));
                labels.AddRange(indices.Select(i => recordings[i].Digit));
                break;
            default:
                features.AddRange(indices.Select(i => Standardised(vectors[i], prior.Mean, prior.Scale)));
                labels.AddRange(indices.Select(i => recordings[i].Digit));
                break;
        }

        return ToSet(features, labels);
    }

    private static async Task<PnnModel> TrainAsync(
        Training train, FrontEndBenchOptions options, CancellationToken cancellationToken)
    {
        var featureCount = train.Set.FeatureCount;
        var classes = FsddDataset.ClassNames.Count;
        var budget = (options.Hidden * (featureCount + 1)) + (classes * (options.Hidden + 1));
        var training = new TrainingOptions { Epochs = options.Epochs, EvaluationPasses = 1, CurveEvery = 0 };
        var model = PnnArchitectures.Digital(
            featureCount, classes, budget, Math.Max(training.BatchSize, 512), options.Seed);
        var task = new ClassificationTask("fsdd-frontend", train.Set, train.Set, FsddDataset.ClassNames);

        // A digital network never asks its twin; the trainer's signature wants one.
        var unused = new PhysicsTwin(PhysicalSystems.Get("electronic").Physics, "unused: digital network");
        await PnnTrainer.TrainAsync(
            model, task, TrainingMode.Digital, unused, null, training, options.Seed, null, cancellationToken)
            .ConfigureAwait(false);
        return model;
    }

    private static (float[] Mean, float[] Scale) Statistics(IEnumerable<float[]> vectors)
    {
        var list = vectors.ToList();
        var width = list[0].Length;
        var mean = new double[width];
        var squares = new double[width];
        foreach (var v in list)
        {
            for (var f = 0; f < width; f++)
            {
                mean[f] += v[f];
                squares[f] += (double)v[f] * v[f];
            }
        }

        var m = new float[width];
        var s = new float[width];
        for (var f = 0; f < width; f++)
        {
            var average = mean[f] / list.Count;
            m[f] = (float)average;
            s[f] = (float)Math.Sqrt(Math.Max((squares[f] / list.Count) - (average * average), 0) + 1e-12);
        }

        return (m, s);
    }

    private static float[] Standardised(float[] vector, float[] mean, float[] scale)
    {
        var result = new float[vector.Length];
        for (var f = 0; f < vector.Length; f++)
        {
            result[f] = (vector[f] - mean[f]) / scale[f];
        }

        return result;
    }

    private static LabelledSet ToSet(List<float[]> features, List<int> labels)
    {
        var width = features[0].Length;
        var flat = new float[features.Count * width];
        for (var i = 0; i < features.Count; i++)
        {
            features[i].CopyTo(flat, i * width);
        }

        return new LabelledSet(flat, [.. labels], width);
    }
}
