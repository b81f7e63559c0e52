using Edge.Domain.Simulation;
using Edge.Trainer.Cli;

namespace Edge.Trainer.Bench;

/// <summary>The background noises <c>bench frontend</c> mixes into speech.</summary>
public enum NoiseKind
{
    /// <summary>Gaussian white noise: equal power per hertz (fans, hiss).</summary>
    White,

    /// <summary>Pink noise, −3 dB per octave like a room's rumble and babble (Paul Kellet's filter).</summary>
    Pink,
}

/// <summary>Mixes seeded noise into a recording at a chosen signal-to-noise ratio.</summary>
public static class RoomNoise
{
    private static readonly CommandLineNames<NoiseKind> Names = new(
        "noise",
        "noises",
        new(NoiseKind.White, "white"),
        new(NoiseKind.Pink, "pink"));

    /// <summary>Command-line name.</summary>
    public static string Name(this NoiseKind kind) => Names.Name(kind);

    /// <summary>Parses a command-line name, with an error that lists the valid ones.</summary>
    public static NoiseKind Parse(string text) => Names.Parse(text);

    /// <summary>
    /// Writes <paramref name="speech"/> plus <paramref name="kind"/> noise into <paramref name="mixed"/>, the noise
    /// scaled so that the recording's mean power over the noise's is <paramref name="snrDb"/> dB; the same
    /// <paramref name="seed"/> gives the same noise. A silent recording gets no noise (its SNR is undefined).
    /// </summary>
    public static void Mix(ReadOnlySpan<float> speech, NoiseKind kind, double snrDb, ulong seed, Span<float> mixed)
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

        var random = new NoiseSource(seed);
        double b0 = 0, b1 = 0, b2 = 0, noisePower = 0, speechPower = 0;
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
            noisePower += white * white;
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
