using System.Globalization;
using Edge.Domain.Audio;

namespace Edge.Domain.Data;

/// <summary>One FSDD recording and its feature vector.</summary>
/// <param name="File">Path relative to the data set folder.</param>
/// <param name="Digit">Spoken digit 0–9.</param>
/// <param name="Speaker">Speaker name.</param>
/// <param name="Index">Recording index 0–49 (0–4 are the conventional test set).</param>
/// <param name="Features">Utterance vector from <see cref="AudioFrontEnd"/>.</param>
public sealed record FsddRecording(string File, int Digit, string Speaker, int Index, float[] Features);

/// <summary>
/// The Free Spoken Digit Dataset (shared/data/fsdd): manifest parsing, feature extraction through the audio front
/// end, and the conventional (index 0–4 test) and leave-one-speaker-out splits. Features are standardised with the
/// training split's mean and deviation.
/// </summary>
public sealed partial class FsddDataset
{
    private const string Header = "file,digit,speaker,index,split";

    private FsddDataset(IReadOnlyList<FsddRecording> recordings, int featureCount, IReadOnlyList<FsddRecording>?
        speedPerturbed = null, IReadOnlyList<FsddRecording>? synthetic = null)
    {
        Recordings = recordings;
        SpeedPerturbed = speedPerturbed ?? [];
        Synthetic = synthetic ?? [];
        FeatureCount = featureCount;
        var speakers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var recording in recordings)
        {
            speakers.Add(recording.Speaker);
        }

        Speakers = [.. speakers];
    }

    /// <summary>Class names by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>All loaded recordings in manifest order.</summary>
    public IReadOnlyList<FsddRecording> Recordings { get; }

    /// <summary>
    /// Extra training copies of the recordings played faster or slower (<see cref="LoadWithSpeedPerturbation"/>),
    /// each with its source's digit, speaker and index; empty unless asked for. They join the training side of a split
    /// only when their source recording is on it, never the test side.
    /// </summary>
    public IReadOnlyList<FsddRecording> SpeedPerturbed { get; }

    /// <summary>
    /// Recordings of extra speakers that only ever train (<see cref="WithSyntheticSpeakers"/>): synthesised voices,
    /// say. They join the training side of every split and never count among <see cref="Speakers"/>.
    /// </summary>
    public IReadOnlyList<FsddRecording> Synthetic { get; }

    /// <summary>Speakers, sorted.</summary>
    public IReadOnlyList<string> Speakers { get; }

    /// <summary>Features per recording.</summary>
    public int FeatureCount { get; }

    /// <summary>Loads the shared data set.</summary>
    /// <param name="options">Audio features (defaults if null).</param>
    /// <param name="maxIndex">Keep only recordings with index ≤ this (a reduced set for tests), or all if null.</param>
    public static FsddDataset Load(AudioFeatureOptions? options = null, int? maxIndex = null)
    {
        var manifest = DataPaths.File("fsdd", "manifest.csv");
        return Load(manifest, options ?? new AudioFeatureOptions(), maxIndex);
    }

    /// <summary>
    /// Loads the shared data set encoded by <see cref="WaveformEncoder"/>: <paramref name="segments"/> envelope values
    /// per recording, to drive a physical layer with the sound itself.
    /// </summary>
    public static FsddDataset LoadWaveform(int segments, int? maxIndex = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segments, 1);
        var manifest = DataPaths.File("fsdd", "manifest.csv");
        return Load(manifest, segments, () => path =>
        {
            var audio = WavReader.Read(path);
            var drive = new float[segments];
            try
            {
                WaveformEncoder.Encode(audio.Samples, audio.SampleRate, drive);
            }
            catch (ArgumentException error)
            {
                throw new WavFormatException($"{path}: {error.Message}", error);
            }

            return drive;
        }, maxIndex);
    }

    /// <summary>
    /// Loads the shared data set and adds a copy of every recording at each speed factor in <paramref name="speeds"/>
    /// (1.1 plays it 10 % faster: shorter, higher-pitched, like a smaller vocal tract), the usual speed perturbation
    /// that makes a recogniser less tied to its training speakers' voices.
    /// </summary>
    public static FsddDataset LoadWithSpeedPerturbation(AudioFeatureOptions options, IReadOnlyList<double> speeds,
        int? maxIndex = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(speeds);
        foreach (var speed in speeds)
        {
            if (!double.IsFinite(speed) || speed is < 0.5 or > 2 || speed == 1)
            {
                throw new ArgumentOutOfRangeException(nameof(speeds), speed,
                    "Speed factors must lie in [0.5, 2] and differ from 1.");
            }
        }

        var manifest = DataPaths.File("fsdd", "manifest.csv");
        var plain = Load(manifest, options, maxIndex);
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var rows = plain.Recordings.Select(r => (r.File, r.Digit, r.Speaker, r.Index)).ToList();
        var perturbed = new List<FsddRecording>();
        foreach (var speed in speeds)
        {
            var copies = new FsddRecording[rows.Count];
            ExtractAll(rows, folder, () => SpeedEncoder(options, speed), copies);
            perturbed.AddRange(copies);
        }

        return new FsddDataset(plain.Recordings, plain.FeatureCount, perturbed);
    }

    /// <summary>
    /// This data set with <paramref name="recordings"/> as extra training-only speakers (replacing any earlier ones);
    /// their features must have this set's length and their speaker names must differ from the real speakers'.
    /// </summary>
    public FsddDataset WithSyntheticSpeakers(IReadOnlyList<FsddRecording> recordings)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        foreach (var r in recordings)
        {
            if (r.Features.Length != FeatureCount)
            {
                throw new
                    ArgumentException($"Synthetic recording '{r.File}' has {r.Features.Length} features, this data set "
                        + $"{FeatureCount}: both must come from the same front end.", nameof(recordings));
            }

            if (Speakers.Contains(r.Speaker))
            {
                throw new
                    ArgumentException($"Synthetic speaker '{r.Speaker}' has the name of a real speaker; it would join "
                        + "that speaker's folds.", nameof(recordings));
            }
        }

        return new FsddDataset(Recordings, FeatureCount, SpeedPerturbed, recordings);
    }

    // Declaring the samples' rate as speed × the true rate makes the front end's resampler play them at that speed.
    private static Func<string, float[]> SpeedEncoder(AudioFeatureOptions options, double speed)
    {
        var frontEnd = new AudioFrontEnd(options);
        return path =>
        {
            var audio = WavReader.Read(path);
            var vector = new float[options.VectorLength];
            try
            {
                frontEnd.Encode(audio.Samples, (int)Math.Round(audio.SampleRate * speed), vector);
            }
            catch (ArgumentException error)
            {
                throw new WavFormatException($"{path}: {error.Message}", error);
            }

            return vector;
        };
    }

    /// <summary>Loads from a manifest; a malformed row or unreadable WAV raises <see cref="InvalidDataException"/>
    /// naming it.</summary>
    public static FsddDataset Load(string manifestPath, AudioFeatureOptions options, int? maxIndex)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Load(manifestPath, options.VectorLength, () => new AudioFrontEnd(options).EncodeFile, maxIndex);
    }

    private static FsddDataset Load(string manifestPath, int featureCount, Func<Func<string, float[]>> createEncoder,
        int? maxIndex)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var lines = File.ReadAllLines(manifestPath);
        if (lines.Length == 0 || lines[0].Trim() != Header)
        {
            throw new InvalidDataException($"{manifestPath}: expected header '{Header}'.");
        }

        var rows = new List<(string File, int Digit, string Speaker, int Index)>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var fields = lines[i].Split(',');
            if (fields.Length != 5)
            {
                throw new InvalidDataException($"{manifestPath}:{i + 1}: expected 5 fields, found {fields.Length}.");
            }

            if (!int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var digit) || digit is
                < 0 or > 9)
            {
                throw new InvalidDataException($"{manifestPath}:{i + 1}: digit '{fields[1]}' is not 0..9.");
            }

            if (!int.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index
                < 0)
            {
                throw new
                    InvalidDataException($"{manifestPath}:{i + 1}: index '{fields[3]}' is not a non-negative integer.");
            }

            if (fields[2].Length == 0 || fields[0].Contains("..", StringComparison.Ordinal))
            {
                throw new
                    InvalidDataException($"{manifestPath}:{i + 1}: empty speaker or a file path leaving the data "
                        + "folder.");
            }

            if (maxIndex is null || index <= maxIndex)
            {
                rows.Add((fields[0], digit, fields[2], index));
            }
        }

        var recordings = new FsddRecording[rows.Count];
        try
        {
            ExtractAll(rows, folder, createEncoder, recordings);
        }
        catch (AggregateException error) when (error.InnerExceptions[0] is InvalidDataException first)
        {
            throw first;
        }

        return new FsddDataset(recordings, featureCount);
    }

    // One encoder per worker thread: the front end reuses its buffers.
    private static void ExtractAll(List<(string File, int Digit, string Speaker,
        int Index)> rows, string folder, Func<Func<string, float[]>> createEncoder, FsddRecording[] recordings)
        => Parallel.For(0, rows.Count, createEncoder, (i, _, encode) =>
        {
            var row = rows[i];
            float[] features;
            try
            {
                features = encode(Path.Combine(folder, row.File));
            }
            catch (Exception error) when (error is WavFormatException or FileNotFoundException)
            {
                throw new InvalidDataException($"FSDD recording '{row.File}': {error.Message}", error);
            }

            recordings[i] = new FsddRecording(row.File, row.Digit, row.Speaker, row.Index, features);
            return encode;
        }, _ => { });

    /// <summary>The conventional split: recording index 0–4 is test, 5 and above train.</summary>
    public ClassificationTask Conventional() => Build("fsdd", r => r.Index <= 4);

    /// <summary>Leave-one-speaker-out: <paramref name="speaker"/>'s recordings are the test set.</summary>
    public ClassificationTask LeaveOut(string speaker)
    {
        if (!Speakers.Contains(speaker))
        {
            throw new ArgumentException($"Unknown FSDD speaker '{speaker}'. Speakers: {string.Join(", ", Speakers)}.",
                nameof(speaker));
        }

        return Build($"fsdd-loso-{speaker}", r => r.Speaker == speaker);
    }

    private ClassificationTask Build(string name, Func<FsddRecording, bool> isTest)
    {
        var train = Recordings.Where(r => !isTest(r)).ToList();
        var test = Recordings.Where(isTest).ToList();
        var augmented = SpeedPerturbed.Where(r => !isTest(r)).Concat(Synthetic).ToList();
        var mean = new double[FeatureCount];
        var variance = new double[FeatureCount];
        foreach (var r in train)
        {
            for (var f = 0; f < FeatureCount; f++)
            {
                mean[f] += r.Features[f] / train.Count;
            }
        }

        foreach (var r in train)
        {
            for (var f = 0; f < FeatureCount; f++)
            {
                var d = r.Features[f] - mean[f];
                variance[f] += d * d / train.Count;
            }
        }

        // Statistics come from the real recordings only, so a model's standardisation does not depend on augmentation.
        return new ClassificationTask(name, Standardise([.. train, .. augmented], mean, variance),
            Standardise(test, mean, variance), ClassNames);
    }

    private LabelledSet Standardise(List<FsddRecording> rows, double[] mean, double[] variance)
    {
        var features = new float[rows.Count * FeatureCount];
        var labels = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            labels[i] = rows[i].Digit;
            for (var f = 0; f < FeatureCount; f++)
            {
                features[(i * FeatureCount) + f] = (float)((rows[i].Features[f] - mean[f])
                    / Math.Sqrt(variance[f] + 1e-12));
            }
        }

        return new LabelledSet(features, labels, FeatureCount);
    }
}
