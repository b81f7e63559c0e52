using Edge.Domain.Audio;

namespace Edge.Domain.Data;

/// <summary>
/// Vocal-tract-length perturbation (VTLP) of FSDD recordings: training copies encoded with warped mel filters.
/// </summary>
public sealed partial class FsddDataset
{
    /// <summary>
    /// Copy <paramref name="copy"/> of <paramref name="recordings"/> (files relative to <paramref name="folder"/>),
    /// re-encoded with the mel filters of <paramref name="options"/> warped per recording by a factor drawn uniformly
    /// from 1 ± <paramref name="maxWarp"/> (<see cref="MelFilterbank.WarpHz"/>); the draw depends only on the copy
    /// and the recording's position, so every run makes the same copies. <paramref name="speakerSuffix"/>, when
    /// given, is appended to each speaker name (copies of synthetic speakers become speakers of their own).
    /// </summary>
    public static IReadOnlyList<FsddRecording> WarpedCopy(IReadOnlyList<FsddRecording> recordings, string folder,
        AudioFeatureOptions options, double maxWarp, int copy, string? speakerSuffix = null)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(copy);
        if (!double.IsFinite(maxWarp) || maxWarp is <= 0 or >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWarp), maxWarp, "The warp range must lie in (0, 0.5).");
        }

        var copies = new FsddRecording[recordings.Count];
        Parallel.For(0, recordings.Count, i =>
        {
            var source = recordings[i];
            var random = new Random(unchecked((copy * 1_000_003) + i));
            var warp = 1 + (maxWarp * ((2 * random.NextDouble()) - 1));
            var path = Path.Combine(folder, source.File);
            float[] features;
            try
            {
                features = new AudioFrontEnd(options, warp).EncodeFile(path);
            }
            catch (Exception error) when (error is WavFormatException or FileNotFoundException)
            {
                throw new InvalidDataException($"FSDD recording '{source.File}': {error.Message}", error);
            }

            copies[i] = source with { Speaker = source.Speaker + speakerSuffix, Features = features };
        });
        return copies;
    }

    /// <summary>
    /// This data set with <paramref name="copies"/> of all its <see cref="Recordings"/>, in their order, added to
    /// <see cref="SpeedPerturbed"/>: like the speed copies they train only when their source does, each copy's
    /// speakers standardised as speakers of their own.
    /// </summary>
    public FsddDataset WithPerturbedCopies(IReadOnlyList<FsddRecording> copies)
    {
        ArgumentNullException.ThrowIfNull(copies);
        if (copies.Count != Recordings.Count)
        {
            throw new ArgumentException(
                $"A perturbed copy has {copies.Count} recordings, the data set {Recordings.Count}: one per recording, "
                + "in order.", nameof(copies));
        }

        for (var i = 0; i < copies.Count; i++)
        {
            if (copies[i].File != Recordings[i].File || copies[i].Features.Length != FeatureCount)
            {
                throw new ArgumentException(
                    $"Perturbed recording {i} ('{copies[i].File}') is not a copy of '{Recordings[i].File}' from this "
                    + "front end.", nameof(copies));
            }
        }

        return new FsddDataset(Recordings, FeatureCount, [.. SpeedPerturbed, .. copies], Synthetic);
    }
}
