using System.Collections.Concurrent;
using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Trainer.Cli;
using Edge.Trainer.Speech;

namespace Edge.Trainer.Bench;

/// <summary>
/// The tasks <c>bench pat</c> knows, by name. FSDD features are extracted once per process and reused by every
/// split and fold.
/// </summary>
public static class BenchTasks
{
    /// <summary>Prefix of the leave-one-speaker-out FSDD task names (the speaker follows).</summary>
    public const string FsddLosoPrefix = "fsdd-loso-";

    /// <summary>Drive segments of the waveform encoding (the mechanical and electronic layers' input count).</summary>
    public const int WaveformSegments = 12;

    /// <summary>Speed factors of <c>--augment speed</c>: each training recording also 10 % slower and 10 %
    /// faster.</summary>
    public static IReadOnlyList<double> SpeedFactors { get; } = [0.9, 1.1];

    /// <summary>Cepstral coefficients of the FSDD features unless <c>--cepstra</c> says otherwise.</summary>
    public const int DefaultCepstra = 13;

    /// <summary>Utterances the running statistics of <c>--features device</c> average over.</summary>
    public const int DeviceWindow = 100;

    /// <summary>Warm-up, in utterances, of the running statistics of <c>--features device</c>.</summary>
    public const int DeviceWarmUp = AudioFeatureOptions.DefaultDeviceStatisticsWarmUp;

    /// <summary>Where <c>--augment voices</c> keeps its synthesised recordings unless told otherwise.</summary>
    public static string DefaultSpeechCache { get; } = Path.Combine("artifacts", "speech");

    private static readonly Lazy<FsddDataset> FsddWaveform = new(() => FsddDataset.LoadWaveform(WaveformSegments),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly ConcurrentDictionary<CorpusKey, Lazy<FsddDataset>> Corpora = new();

    /// <summary>The speaker-robust front end of <c>--features normalised</c>: cepstral mean normalisation and
    /// deltas.</summary>
    public static AudioFeatureOptions NormalisedFeatures { get; } = new() { CepstralMeanNormalisation = true,
        Deltas = true };

    /// <summary>Names accepted by <see cref="Load(string)"/>.</summary>
    public static string Available => "vowels, mnist, fsdd, fsdd-loso-<speaker>, fsdd-waveform";

    /// <summary>The FSDD corpus with features (loaded on first use).</summary>
    public static FsddDataset FsddCorpus
        => Corpus(new CorpusKey(
            Normalised: false, Augmentation.None, DefaultCepstra, SpeechCache: string.Empty, SpeechTuning.Default));

    /// <summary>
    /// Loads a task by name, or throws an <see cref="ArgumentException"/> listing the valid names. <c>fsdd-waveform</c>
    /// drives the
    /// physical layer with the word's envelope (<see cref="WaveformEncoder"/>) instead of MFCCs.
    /// </summary>
    public static ClassificationTask Load(string name) => Load(name, FsddFeatures.Mfcc, Augmentation.None);

    /// <summary>
    /// Loads a task by name with the FSDD front end <paramref name="features"/> of <paramref name="cepstra"/>
    /// coefficients (other tasks ignore both) and the training-set <paramref name="augmentation"/>: speed-perturbed
    /// copies (<see cref="SpeedFactors"/>) or synthetic speakers (<see cref="SyntheticDigitSpeakers"/>, cached in
    /// <paramref name="speechCache"/>) for FSDD, shifted copies for MNIST; an augmentation the task has not is an
    /// <see cref="ArgumentException"/>. <paramref name="tuning"/> sets the FSDD mel bank, deltas and VTLP copies.
    /// </summary>
    public static ClassificationTask Load(string name, FsddFeatures features, Augmentation augmentation,
        int cepstra = DefaultCepstra, string? speechCache = null, SpeechTuning? tuning = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        var isFsdd = key == "fsdd" || key.StartsWith(FsddLosoPrefix, StringComparison.Ordinal);
        if ((augmentation is Augmentation.Speed or Augmentation.Voices && !isFsdd)
            || (augmentation == Augmentation.Shift && key != "mnist"))
        {
            throw new
                ArgumentException($"--augment {augmentation.Name()} does not apply to task '{name}': speed and voices "
                    + "are for fsdd, shift for mnist.");
        }

        if (augmentation == Augmentation.Speed && features == FsddFeatures.Normalised)
        {
            throw new
                ArgumentException("Speed perturbation is available with the mfcc and speaker-normalised features, not "
                    + "with normalised.");
        }

        tuning ??= SpeechTuning.Default;
        tuning.Validate(cepstra);
        var corpus = new Lazy<FsddDataset>(() => CorpusFor(features, augmentation, cepstra, speechCache, tuning));
        var perSpeaker = features == FsddFeatures.SpeakerNormalised;
        var perDevice = features == FsddFeatures.DeviceNormalised;
        return key switch
        {
            "vowels" => VowelDataset.Load(),
            "mnist" => augmentation == Augmentation.Shift ? Shifted(MnistDataset.Load()) : MnistDataset.Load(),
            "fsdd" when perDevice => corpus.Value.ConventionalDeviceNormalised(DeviceWindow, DeviceWarmUp, seed: 1),
            "fsdd" => perSpeaker ? corpus.Value.ConventionalSpeakerNormalised() : corpus.Value.Conventional(),
            "fsdd-waveform" => FsddWaveform.Value.Conventional(),
            _ when key.StartsWith(FsddLosoPrefix, StringComparison.Ordinal) && perDevice
                => corpus.Value.LeaveOutDeviceNormalised(key[FsddLosoPrefix.Length..], DeviceWindow, DeviceWarmUp, 1),
            _ when key.StartsWith(FsddLosoPrefix, StringComparison.Ordinal) => perSpeaker
                ? corpus.Value.LeaveOutSpeakerNormalised(key[FsddLosoPrefix.Length..])
                : corpus.Value.LeaveOut(key[FsddLosoPrefix.Length..]),
            _ => throw new ArgumentException($"Unknown task '{name}'. Available tasks: {Available}."),
        };
    }

    /// <summary>
    /// The FSDD corpus <see cref="Load(string, FsddFeatures, Augmentation, int, string?, SpeechTuning?)"/> encodes a
    /// task with (loaded on first use): the recordings and their unstandardised features.
    /// </summary>
    public static FsddDataset CorpusFor(FsddFeatures features, Augmentation augmentation, int cepstra,
        string? speechCache, SpeechTuning? tuning = null)
    {
        // The cache folder only tells corpora apart when they hold synthetic voices.
        var cache = augmentation == Augmentation.Voices ? speechCache ?? DefaultSpeechCache : string.Empty;
        return Corpus(new CorpusKey(
            features == FsddFeatures.Normalised, augmentation, cepstra, cache, tuning ?? SpeechTuning.Default));
    }

    /// <summary>
    /// The audio front end of the FSDD features <paramref name="features"/> with <paramref name="cepstra"/>
    /// coefficients; device-normalised features run the device statistics the bench simulates
    /// (<see cref="DeviceWindow"/>, <see cref="DeviceWarmUp"/>); <paramref name="tuning"/> sets the mel bank and
    /// deltas.
    /// </summary>
    public static AudioFeatureOptions FrontEnd(FsddFeatures features, int cepstra, SpeechTuning? tuning = null)
    {
        tuning ??= SpeechTuning.Default;
        var options = features switch
        {
            FsddFeatures.Normalised => NormalisedFeatures with { CepstralCoefficients = cepstra },
            FsddFeatures.DeviceNormalised => new AudioFeatureOptions
            {
                CepstralCoefficients = cepstra,
                DeviceStatisticsWindow = DeviceWindow,
                DeviceStatisticsWarmUp = DeviceWarmUp,
            },
            _ => new AudioFeatureOptions { CepstralCoefficients = cepstra },
        };
        return options with { MelBands = tuning.MelBands, Deltas = options.Deltas || tuning.Deltas };
    }

    /// <summary>Checks that <paramref name="name"/> is a task name, loading nothing; returns it normalised.</summary>
    public static string Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        return key is "vowels" or "mnist" or "fsdd" or "fsdd-waveform"
            || (key.StartsWith(FsddLosoPrefix, StringComparison.Ordinal) && key.Length > FsddLosoPrefix.Length)
            ? key
            : throw new ArgumentException($"Unknown task '{name}'. Available tasks: {Available}.");
    }

    private static FsddDataset Corpus(CorpusKey key)
        => Corpora.GetOrAdd(key,
            k => new Lazy<FsddDataset>(() => LoadCorpus(k), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static FsddDataset LoadCorpus(CorpusKey key)
    {
        var options = FrontEnd(key.Normalised ? FsddFeatures.Normalised : FsddFeatures.Mfcc, key.Cepstra, key.Tuning);
        var corpus = key.Augment == Augmentation.Speed
            ? FsddDataset.LoadWithSpeedPerturbation(options, SpeedFactors)
            : FsddDataset.Load(options);
        var voices = new List<FsddRecording>();
        var voiceFolder = string.Empty;
        if (key.Augment == Augmentation.Voices)
        {
            var manifest = SyntheticDigitSpeakers.Ensure(key.SpeechCache, new EspeakNg(),
                threads: Environment.ProcessorCount);
            voiceFolder = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
            voices.AddRange(FsddDataset.Load(manifest, options, maxIndex: null).Recordings);
        }

        var realFolder = Path.GetDirectoryName(Path.GetFullPath(DataPaths.File("fsdd", "manifest.csv")))!;
        var synthetic = new List<FsddRecording>(voices);
        for (var copy = 0; copy < key.Tuning.Vtlp; copy++)
        {
            corpus = corpus.WithPerturbedCopies(
                FsddDataset.WarpedCopy(corpus.Recordings, realFolder, options, SpeechTuning.VtlpRange, copy));
            synthetic.AddRange(FsddDataset.WarpedCopy(
                voices, voiceFolder, options, SpeechTuning.VtlpRange, copy, $"~vtlp{copy + 1}"));
        }

        for (var copy = 0; copy < key.Tuning.NoiseCopies; copy++)
        {
            var talkers = Talkers(voices, voiceFolder);
            corpus = corpus.WithPerturbedCopies(
                RoomNoiseCopies.Encode(corpus.Recordings, realFolder, options, talkers, copy));
            synthetic.AddRange(RoomNoiseCopies.Encode(
                voices, voiceFolder, options, talkers, copy, $"~noise{copy + 1}"));
        }

        return synthetic.Count > 0 ? corpus.WithSyntheticSpeakers(synthetic) : corpus;
    }

    // The babble of room-noise copies: the synthetic voices' words, never a real speaker of the corpus.
    private static (IReadOnlyList<float[]>, IReadOnlyList<string>) Talkers(
        List<FsddRecording> voices, string voiceFolder)
    {
        if (voices.Count == 0)
        {
            throw new ArgumentException(
                "--noise-copies needs --augment voices: the babble of the room copies is synthetic voices talking, "
                + "never a real speaker of the corpus.");
        }

        return ([.. voices.Select(v => WavReader.Read(Path.Combine(voiceFolder, v.File)).Samples)],
            [.. voices.Select(v => v.Speaker)]);
    }

    private static ClassificationTask Shifted(ClassificationTask task) => task
        with { Train = MnistDataset.WithShiftedCopies(task.Train) };
}

// One loaded FSDD corpus: its front end, its augmentation and where synthetic speech is cached.
internal readonly record struct CorpusKey(
    bool Normalised, Augmentation Augment, int Cepstra, string SpeechCache, SpeechTuning Tuning);

/// <summary>Which audio front end the FSDD tasks use.</summary>
public enum FsddFeatures
{
    /// <summary><see cref="AudioFeatureOptions"/> defaults: pooled MFCCs and their deviation (what model packages
    /// ship).</summary>
    Mfcc,

    /// <summary><see cref="BenchTasks.NormalisedFeatures"/>: cepstral mean normalisation and deltas.</summary>
    Normalised,

    /// <summary>The default MFCC vector standardised per speaker (<see cref="FsddSpeakerNormalisation"/>).</summary>
    SpeakerNormalised,

    /// <summary>
    /// Training speakers standardised per speaker, test speakers by the agent's running device statistics
    /// (<see cref="FsddDeviceNormalisation"/>): the causal, label-free counterpart of <see cref="SpeakerNormalised"/>.
    /// </summary>
    DeviceNormalised,
}

/// <summary>Names of <see cref="FsddFeatures"/>.</summary>
public static class FsddFeatureNames
{
    private static readonly CommandLineNames<FsddFeatures> Names = new(
        "features",
        "features",
        new(FsddFeatures.Mfcc, "mfcc"),
        new(FsddFeatures.SpeakerNormalised, "speaker", null, "speaker-normalised"),
        new(FsddFeatures.Normalised, "normalised", null, "normalized", "cmvn"),
        new(FsddFeatures.DeviceNormalised, "device", null, "device-normalised"));

    /// <summary>Command-line name (as the bench JSON records it).</summary>
    public static string Name(this FsddFeatures features) => Names.Name(features);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static FsddFeatures Parse(string text) => Names.Parse(text);
}
