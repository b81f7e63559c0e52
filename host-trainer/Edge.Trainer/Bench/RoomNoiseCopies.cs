using System.Runtime.ExceptionServices;
using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Domain.Simulation;

namespace Edge.Trainer.Bench;

/// <summary>
/// Training copies of FSDD recordings heard in a room (<see cref="SpeechTuning.NoiseCopies"/>): each recording
/// re-encoded with babble, pink or white noise mixed in by <see cref="RoomNoise"/> — the mixer
/// <c>loso-agent --noise</c> measures with — at an SNR drawn per recording from <see cref="SnrLevels"/>. The kind
/// turns with the recording and the copy, so every copy holds all three rooms. Babble is synthetic voices talking,
/// never a real speaker of the corpus, so a held-out speaker is not heard in training even as noise.
/// </summary>
internal static class RoomNoiseCopies
{
    /// <summary>The SNRs (dB) a copy's recordings are mixed at, one drawn per recording.</summary>
    public static readonly double[] SnrLevels = [5, 10, 15, 20];

    private static readonly NoiseKind[] Kinds = [NoiseKind.Babble, NoiseKind.Pink, NoiseKind.White];

    /// <summary>
    /// Copy <paramref name="copy"/> of <paramref name="recordings"/> (WAV files under <paramref name="folder"/>) in
    /// room noise, encoded by <paramref name="options"/>; the babble is <paramref name="talkers"/>' recordings (and
    /// who speaks each); the speakers get <paramref name="speakerSuffix"/> if given.
    /// </summary>
    public static IReadOnlyList<FsddRecording> Encode(
        IReadOnlyList<FsddRecording> recordings,
        string folder,
        AudioFeatureOptions options,
        (IReadOnlyList<float[]> Samples, IReadOnlyList<string> Speakers) talkers,
        int copy,
        string? speakerSuffix = null)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(copy);
        var speakers = recordings.Select(r => r.Speaker).ToArray();
        var mixers = Kinds.Select(kind => SnrLevels.Select(snr => RoomNoise.ForRecordings(
                kind, snr, NoiseSource.HashId($"train-{kind.Name()}-{snr}-{copy}"), speakers, talkers.Samples,
                talkers.Speakers)).ToArray())
            .ToArray();
        var copies = new FsddRecording[recordings.Count];
        try
        {
            Parallel.For(0, recordings.Count, i => copies[i] = Encode(recordings[i], i, folder, options, mixers, copy)
                with { Speaker = recordings[i].Speaker + speakerSuffix });
        }
        catch (AggregateException error) when (error.InnerException is InvalidDataException bad)
        {
            // The recording that could not be read, not the parallel loop's wrapper.
            ExceptionDispatchInfo.Throw(bad);
        }

        return copies;
    }

    private static FsddRecording Encode(
        FsddRecording source, int i, string folder, AudioFeatureOptions options, CorpusMixer[][] mixers, int copy)
    {
        var random = new Random(unchecked((copy * 1_000_003) + i));
        var mix = mixers[(i + copy) % Kinds.Length][random.Next(SnrLevels.Length)];
        var features = new float[options.VectorLength];
        try
        {
            var audio = WavReader.Read(Path.Combine(folder, source.File));
            var mixed = new float[audio.Samples.Length];
            mix(i, audio.Samples, mixed);
            new AudioFrontEnd(options).Encode(mixed, audio.SampleRate, features);
        }
        catch (Exception error) when (error is WavFormatException or FileNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"FSDD recording '{source.File}' in room noise: {error.Message}", error);
        }

        return source with { Features = features };
    }
}
