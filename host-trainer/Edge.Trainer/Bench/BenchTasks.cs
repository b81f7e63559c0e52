using Edge.Domain.Audio;
using Edge.Domain.Data;

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

    /// <summary>Speed factors of <c>--augment speed</c>: each training recording also 10 % slower and 10 % faster.</summary>
    public static IReadOnlyList<double> SpeedFactors { get; } = [0.9, 1.1];

    private static readonly Lazy<FsddDataset> FsddWaveform = new(() => FsddDataset.LoadWaveform(WaveformSegments), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<FsddDataset> Fsdd = new(() => FsddDataset.Load(), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<FsddDataset> FsddNormalised = new(() => FsddDataset.Load(NormalisedFeatures), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<FsddDataset> FsddSpeedPerturbed = new(() => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), SpeedFactors!), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The speaker-robust front end of <c>--features normalised</c>: cepstral mean normalisation and deltas.</summary>
    public static AudioFeatureOptions NormalisedFeatures { get; } = new() { CepstralMeanNormalisation = true, Deltas = true };

    /// <summary>Names accepted by <see cref="Load(string)"/>.</summary>
    public static string Available => "vowels, mnist, fsdd, fsdd-loso-<speaker>, fsdd-waveform";

    /// <summary>The FSDD corpus with features (loaded on first use).</summary>
    public static FsddDataset FsddCorpus => Fsdd.Value;

    /// <summary>
    /// Loads a task by name, or throws an <see cref="ArgumentException"/> listing the valid names. <c>fsdd-waveform</c> drives the
    /// physical layer with the word's envelope (<see cref="WaveformEncoder"/>) instead of MFCCs.
    /// </summary>
    public static ClassificationTask Load(string name) => Load(name, FsddFeatures.Mfcc, Augmentation.None);

    /// <summary>
    /// Loads a task by name with the FSDD front end <paramref name="features"/> (other tasks ignore it) and the
    /// training-set <paramref name="augmentation"/>: speed-perturbed copies (<see cref="SpeedFactors"/>) for FSDD,
    /// shifted copies for MNIST; an augmentation the task has not is an <see cref="ArgumentException"/>.
    /// </summary>
    public static ClassificationTask Load(string name, FsddFeatures features, Augmentation augmentation)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        var isFsdd = key == "fsdd" || key.StartsWith(FsddLosoPrefix, StringComparison.Ordinal);
        var speedPerturbation = augmentation == Augmentation.Speed;
        if ((speedPerturbation && !isFsdd) || (augmentation == Augmentation.Shift && key != "mnist"))
        {
            throw new ArgumentException($"--augment {augmentation.Name()} does not apply to task '{name}': speed is for fsdd, shift for mnist.");
        }

        if (speedPerturbation && features == FsddFeatures.Normalised)
        {
            throw new ArgumentException("Speed perturbation is available with the mfcc and speaker-normalised features, not with normalised.");
        }

        var corpus = features == FsddFeatures.Normalised ? FsddNormalised : speedPerturbation ? FsddSpeedPerturbed : Fsdd;
        var perSpeaker = features == FsddFeatures.SpeakerNormalised;
        return key switch
        {
            "vowels" => VowelDataset.Load(),
            "mnist" => augmentation == Augmentation.Shift ? Shifted(MnistDataset.Load()) : MnistDataset.Load(),
            "fsdd" => perSpeaker ? corpus.Value.ConventionalSpeakerNormalised() : corpus.Value.Conventional(),
            "fsdd-waveform" => FsddWaveform.Value.Conventional(),
            _ when key.StartsWith(FsddLosoPrefix, StringComparison.Ordinal) => perSpeaker
                ? corpus.Value.LeaveOutSpeakerNormalised(key[FsddLosoPrefix.Length..])
                : corpus.Value.LeaveOut(key[FsddLosoPrefix.Length..]),
            _ => throw new ArgumentException($"Unknown task '{name}'. Available tasks: {Available}."),
        };
    }

    private static ClassificationTask Shifted(ClassificationTask task) => task with { Train = MnistDataset.WithShiftedCopies(task.Train) };
}

/// <summary>Which audio front end the FSDD tasks use.</summary>
public enum FsddFeatures
{
    /// <summary><see cref="AudioFeatureOptions"/> defaults: pooled MFCCs and their deviation (what model packages ship).</summary>
    Mfcc,

    /// <summary><see cref="BenchTasks.NormalisedFeatures"/>: cepstral mean normalisation and deltas.</summary>
    Normalised,

    /// <summary>The default MFCC vector standardised per speaker (<see cref="FsddSpeakerNormalisation"/>).</summary>
    SpeakerNormalised,
}
