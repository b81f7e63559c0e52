namespace Edge.Domain.Audio;

/// <summary>
/// Turns the frames of one utterance into the fixed vector a PNN takes: leading and trailing frames quieter than the
/// peak by <see cref="AudioFeatureOptions.TrimBelowPeakDb"/> are dropped, the rest is split into
/// <see cref="AudioFeatureOptions.PooledSegments"/> equal time segments whose mean MFCCs are concatenated, followed by
/// each coefficient's standard deviation over the trimmed utterance. With cepstral mean normalisation or deltas
/// switched on, <see cref="NormalisedPooling"/> pools instead.
/// </summary>
public static class UtteranceEncoder
{
    /// <summary>The frame range [start, end) kept after energy-based silence trimming (empty input gives
    /// 0..0).</summary>
    public static (int Start, int End) TrimSilence(FeatureFrames frames, double belowPeakDb)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            return (0, 0);
        }

        var peak = float.NegativeInfinity;
        for (var f = 0; f < frames.Count; f++)
        {
            peak = Math.Max(peak, frames.EnergyDb(f));
        }

        var threshold = peak - belowPeakDb;
        var start = 0;
        while (frames.EnergyDb(start) < threshold)
        {
            start++;
        }

        var end = frames.Count;
        while (frames.EnergyDb(end - 1) < threshold)
        {
            end--;
        }

        return (start, end);
    }

    /// <summary>Writes the utterance vector (<see cref="AudioFeatureOptions.VectorLength"/> values) into <paramref
    /// name="vector"/>.</summary>
    public static void Encode(FeatureFrames frames, AudioFeatureOptions options, Span<float> vector)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(options);
        if (vector.Length != options.VectorLength)
        {
            throw new
                ArgumentException($"The utterance vector has {options.VectorLength} values, the destination "
                    + $"{vector.Length}.", nameof(vector));
        }

        if (frames.Count == 0)
        {
            throw new ArgumentException("The utterance is shorter than one analysis frame; there is nothing to encode.",
                nameof(frames));
        }

        var (start, end) = TrimSilence(frames, options.TrimBelowPeakDb);
        if (options.CepstralMeanNormalisation || options.Deltas)
        {
            NormalisedPooling.Encode(frames, options, start, end, vector);
            return;
        }

        var coefficients = frames.Coefficients;
        var segments = options.PooledSegments;
        var count = end - start;
        for (var s = 0; s < segments; s++)
        {
            // Segments of fewer frames than segments reuse the nearest frame, so short words still fill every slot.
            var from = start + (s * count / segments);
            var to = Math.Max(from + 1, start + ((s + 1) * count / segments));
            var destination = vector.Slice(s * coefficients, coefficients);
            destination.Clear();
            for (var f = from; f < to; f++)
            {
                var mfcc = frames.Mfcc(f);
                for (var c = 0; c < coefficients; c++)
                {
                    destination[c] += mfcc[c];
                }
            }

            var scale = 1f / (to - from);
            for (var c = 0; c < coefficients; c++)
            {
                destination[c] *= scale;
            }
        }

        var deviation = vector.Slice(segments * coefficients, coefficients);
        for (var c = 0; c < coefficients; c++)
        {
            double sum = 0, squares = 0;
            for (var f = start; f < end; f++)
            {
                var value = frames.Mfcc(f)[c];
                sum += value;
                squares += value * value;
            }

            var mean = sum / count;
            deviation[c] = (float)Math.Sqrt(Math.Max(0, (squares / count) - (mean * mean)));
        }
    }
}
