namespace Edge.Domain.Audio;

/// <summary>
/// Drives a physical layer with the sound itself instead of its spectrum: the word (trimmed of silence by sample
/// energy) is cut into as many equal time segments as the layer has drive segments, and each segment becomes its
/// RMS envelope relative to the loudest segment, mapped to [-1, 1] — the plate on a speaker "hears" the word's
/// loudness contour played at the drive's time scale.
/// </summary>
public static class WaveformEncoder
{
    /// <summary>
    /// Writes <paramref name="drive"/>.Length envelope values in [-1, 1]. Leading and trailing 10 ms blocks quieter
    /// than the loudest block by <paramref name="trimBelowPeakDb"/> are dropped first.
    /// </summary>
    public static void Encode(ReadOnlySpan<float> samples, int sampleRate, Span<float> drive,
        double trimBelowPeakDb = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(drive.Length, 1);
        var block = sampleRate / 100;
        if (samples.Length < block * drive.Length)
        {
            throw new
                ArgumentException($"{samples.Length} samples are too short to fill {drive.Length} drive segments of at "
                    + "least one 10 ms block.", nameof(samples));
        }

        var (start, end) = Trim(samples, block, trimBelowPeakDb);
        if (end - start < drive.Length)
        {
            (start, end) = (0, samples.Length);
        }

        var peak = 0.0;
        for (var s = 0; s < drive.Length; s++)
        {
            var from = start + ((end - start) * s / drive.Length);
            var to = start + ((end - start) * (s + 1) / drive.Length);
            var energy = 0.0;
            for (var i = from; i < to; i++)
            {
                energy += samples[i] * samples[i];
            }

            drive[s] = (float)Math.Sqrt(energy / (to - from));
            peak = Math.Max(peak, drive[s]);
        }

        for (var s = 0; s < drive.Length; s++)
        {
            drive[s] = peak > 0 ? (float)((2 * drive[s] / peak) - 1) : -1f;
        }
    }

    private static (int Start, int End) Trim(ReadOnlySpan<float> samples, int block, double belowPeakDb)
    {
        var blocks = samples.Length / block;
        var loudest = 0.0;
        for (var b = 0; b < blocks; b++)
        {
            loudest = Math.Max(loudest, BlockEnergy(samples, b, block));
        }

        var threshold = loudest * Math.Pow(10, -belowPeakDb / 10);
        var first = 0;
        while (first < blocks - 1 && BlockEnergy(samples, first, block) < threshold)
        {
            first++;
        }

        var last = blocks - 1;
        while (last > first && BlockEnergy(samples, last, block) < threshold)
        {
            last--;
        }

        return (first * block, Math.Min(samples.Length, (last + 1) * block));
    }

    private static double BlockEnergy(ReadOnlySpan<float> samples, int index, int block)
    {
        var energy = 0.0;
        foreach (var sample in samples.Slice(index * block, block))
        {
            energy += sample * sample;
        }

        return energy / block;
    }
}
