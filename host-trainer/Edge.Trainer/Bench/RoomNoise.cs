using Edge.Domain.Simulation;
using Edge.Trainer.Cli;

namespace Edge.Trainer.Bench;

/// <summary>The background noises <c>bench frontend</c> mixes into speech.</summary>
public enum NoiseKind
{
    /// <summary>Gaussian white noise: equal power per hertz (fans, hiss).</summary>
    White,

    /// <summary>Pink noise, −3 dB per octave like a room's rumble (Paul Kellet's filter).</summary>
    Pink,

    /// <summary>Babble: other people talking at once, from recordings (<see cref="RoomNoise.MixBabble"/>).</summary>
    Babble,
}

/// <summary>Mixes noise into recording <paramref name="recording"/> of a corpus: speech in, speech plus noise out.
/// </summary>
public delegate void CorpusMixer(int recording, ReadOnlySpan<float> speech, Span<float> mixed);

/// <summary>Mixes seeded noise into a recording at a chosen signal-to-noise ratio.</summary>
public static class RoomNoise
{
    /// <summary>Other speakers' recordings summed into one babble condition.</summary>
    public const int BabbleTalkers = 4;

    private static readonly CommandLineNames<NoiseKind> Names = new(
        "noise",
        "noises",
        new(NoiseKind.White, "white"),
        new(NoiseKind.Pink, "pink"),
        new(NoiseKind.Babble, "babble"));

    /// <summary>Command-line name.</summary>
    public static string Name(this NoiseKind kind) => Names.Name(kind);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static NoiseKind Parse(string text) => Names.Parse(text);

    /// <summary>
    /// Writes <paramref name="speech"/> plus <paramref name="kind"/> noise into <paramref name="mixed"/>, the noise
    /// scaled so that the recording's mean power over the noise's is <paramref name="snrDb"/> dB; the same
    /// <paramref name="seed"/> gives the same noise. A silent recording gets no noise (its SNR is undefined).
    /// Babble is made of recordings, not of a seed: <see cref="MixBabble"/>.
    /// </summary>
    public static void Mix(ReadOnlySpan<float> speech, NoiseKind kind, double snrDb, ulong seed, Span<float> mixed)
    {
        Check(speech, snrDb, mixed);
        if (kind == NoiseKind.Babble)
        {
            throw new ArgumentException("Babble is mixed from recordings of other talkers (MixBabble), not seeded.");
        }

        var random = new NoiseSource(seed);
        double b0 = 0, b1 = 0, b2 = 0;
        for (var n = 0; n < mixed.Length; n++)
        {
            var white = random.NextGaussian();
            if (kind == NoiseKind.Pink)
            {
                b0 = (0.99765 * b0) + (white * 0.0990460);
                b1 = (0.96300 * b1) + (white * 0.2965164);
                b2 = (0.57000 * b2) + (white * 1.0526913);
                white = b0 + b1 + b2 + (white * 0.1848);
            }

            mixed[n] = (float)white;
        }

        AddSpeech(speech, snrDb, mixed);
    }

    /// <summary>
    /// Writes <paramref name="speech"/> plus babble into <paramref name="mixed"/>: the sum of the
    /// <paramref name="talkers"/>' recordings (each repeated from its start when shorter than the speech), scaled so
    /// that the speech's mean power over the babble's is <paramref name="snrDb"/> dB.
    /// </summary>
    public static void MixBabble(
        ReadOnlySpan<float> speech, IReadOnlyList<float[]> talkers, double snrDb, Span<float> mixed)
    {
        ArgumentNullException.ThrowIfNull(talkers);
        Check(speech, snrDb, mixed);
        if (talkers.Count == 0 || talkers.Any(t => t.Length == 0))
        {
            throw new ArgumentException("Babble needs at least one talker, each with samples.", nameof(talkers));
        }

        mixed.Clear();
        foreach (var talker in talkers)
        {
            for (var n = 0; n < mixed.Length; n++)
            {
                mixed[n] += talker[n % talker.Length];
            }
        }

        AddSpeech(speech, snrDb, mixed);
    }

    /// <summary>
    /// <paramref name="kind"/> noise at <paramref name="snrDb"/> dB for every recording of a corpus
    /// (<paramref name="samples"/>, spoken by <paramref name="speakers"/>), seeded per recording from
    /// <paramref name="seed"/>. Babble for a recording is <see cref="BabbleTalkers"/> recordings of other speakers of
    /// the corpus, drawn by the same seeded source, so each recording gets its own room and a rerun the same one.
    /// </summary>
    public static CorpusMixer ForCorpus(
        NoiseKind kind, double snrDb, ulong seed, IReadOnlyList<float[]> samples, IReadOnlyList<string> speakers)
        => ForRecordings(kind, snrDb, seed, speakers, samples, speakers);

    /// <summary>
    /// As <see cref="ForCorpus"/> for recordings spoken by <paramref name="speakers"/>, with babble drawn from another
    /// pool of recordings (<paramref name="talkers"/>, spoken by <paramref name="talkerSpeakers"/>): training copies of
    /// real words with synthetic voices talking behind them, so no real speaker (a held-out one) is heard in training.
    /// </summary>
    public static CorpusMixer ForRecordings(
        NoiseKind kind,
        double snrDb,
        ulong seed,
        IReadOnlyList<string> speakers,
        IReadOnlyList<float[]> talkers,
        IReadOnlyList<string> talkerSpeakers)
    {
        ArgumentNullException.ThrowIfNull(speakers);
        ArgumentNullException.ThrowIfNull(talkers);
        ArgumentNullException.ThrowIfNull(talkerSpeakers);
        if (kind != NoiseKind.Babble)
        {
            return (i, speech, mixed) => Mix(speech, kind, snrDb, seed + (ulong)i, mixed);
        }

        if (talkers.Count != talkerSpeakers.Count || talkerSpeakers.Distinct(StringComparer.Ordinal).Count() < 2)
        {
            throw new ArgumentException(
                "Babble needs one speaker per recording and at least two speakers in the corpus.", nameof(speakers));
        }

        return (i, speech, mixed) =>
            MixBabble(speech, Talkers(talkers, talkerSpeakers, speakers[i], i, seed), snrDb, mixed);
    }

    private static float[][] Talkers(
        IReadOnlyList<float[]> samples, IReadOnlyList<string> speakers, string speaker, int i, ulong seed)
    {
        var random = new NoiseSource(seed + (ulong)i);
        var talkers = new float[BabbleTalkers][];
        for (var t = 0; t < talkers.Length;)
        {
            var other = random.NextInt(samples.Count);
            if (speakers[other] != speaker)
            {
                talkers[t++] = samples[other];
            }
        }

        return talkers;
    }

    private static void Check(ReadOnlySpan<float> speech, double snrDb, Span<float> mixed)
    {
        if (mixed.Length != speech.Length)
        {
            throw new ArgumentException(
                $"The mix has room for {mixed.Length} samples, the speech has {speech.Length}.");
        }

        if (!double.IsFinite(snrDb))
        {
            throw new ArgumentOutOfRangeException(nameof(snrDb), snrDb, "The SNR must be a finite number of dB.");
        }
    }

    // mixed holds the noise; scales it to the SNR and adds the speech.
    private static void AddSpeech(ReadOnlySpan<float> speech, double snrDb, Span<float> mixed)
    {
        double noisePower = 0, speechPower = 0;
        for (var n = 0; n < mixed.Length; n++)
        {
            noisePower += (double)mixed[n] * mixed[n];
            speechPower += (double)speech[n] * speech[n];
        }

        var gain = speechPower > 0 && noisePower > 0
            ? Math.Sqrt(speechPower / noisePower / Math.Pow(10, snrDb / 10))
            : 0;
        for (var n = 0; n < mixed.Length; n++)
        {
            mixed[n] = (float)(speech[n] + (gain * mixed[n]));
        }
    }
}
