using Edge.Domain.Audio;

namespace Edge.Trainer.Bench;

/// <summary>
/// What the FSDD tasks take beyond features and cepstra: the mel filter bank and deltas of the front end (shipped in
/// packages, so the agent computes the same vector) and vocal-tract-length perturbation (VTLP), a training-only
/// augmentation the agent never sees.
/// </summary>
public sealed record SpeechTuning
{
    /// <summary>Largest mel bank <see cref="MelBands"/> accepts: beyond it the low filters of a 256-point spectrum at
    /// 8 kHz fall between bins.</summary>
    public const int MaxMelBands = 64;

    /// <summary>Largest number of VTLP copies.</summary>
    public const int MaxVtlpCopies = 4;

    /// <summary>Largest number of room-noise copies.</summary>
    public const int MaxNoiseCopies = 3;

    /// <summary>VTLP warps are drawn uniformly from 1 ± this (0.9–1.1).</summary>
    public const double VtlpRange = 0.1;

    /// <summary>The tuning of runs that name none: 26 mel bands, no deltas, no VTLP.</summary>
    public static SpeechTuning Default { get; } = new();

    /// <summary>Mel filters of the front end (<see cref="AudioFeatureOptions.MelBands"/>).</summary>
    public int MelBands { get; init; } = new AudioFeatureOptions().MelBands;

    /// <summary>Pooled deltas in the utterance vector (<see cref="AudioFeatureOptions.Deltas"/>).</summary>
    public bool Deltas { get; init; }

    /// <summary>
    /// VTLP copies of every training recording, real and synthetic: each re-encoded with its mel filters warped by a
    /// factor drawn per recording from 1 ± <see cref="VtlpRange"/>; 0 = none.
    /// </summary>
    public int Vtlp { get; init; }

    /// <summary>
    /// Room-noise copies of every training recording, real and synthetic (<see cref="RoomNoiseCopies"/>: babble, pink
    /// or white noise at 5–20 dB SNR); training only, and only with synthetic voices, whose talk is the babble; 0 =
    /// none.
    /// </summary>
    public int NoiseCopies { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first out-of-range value.</summary>
    public void Validate(int cepstra)
    {
        if (MelBands is < 2 or > MaxMelBands)
        {
            throw new ArgumentException($"--mel-bands {MelBands} is out of range: 2..{MaxMelBands}.");
        }

        if (cepstra < 1 || cepstra > MelBands)
        {
            throw new ArgumentException($"--cepstra {cepstra} is out of range: 1..{MelBands} (the mel bands).");
        }

        if (Vtlp is < 0 or > MaxVtlpCopies)
        {
            throw new ArgumentException($"--vtlp {Vtlp} is out of range: 0..{MaxVtlpCopies} warped copies.");
        }

        if (NoiseCopies is < 0 or > MaxNoiseCopies)
        {
            throw new ArgumentException(
                $"--noise-copies {NoiseCopies} is out of range: 0..{MaxNoiseCopies} room-noise copies.");
        }
    }
}
