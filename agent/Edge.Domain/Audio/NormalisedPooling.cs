namespace Edge.Domain.Audio;

/// <summary>
/// Speaker-robust pooling of a trimmed utterance: MFCCs minus their utterance mean (when
/// <see cref="AudioFeatureOptions.CepstralMeanNormalisation"/> is set) and divided by their utterance deviation (when
/// <see cref="AudioFeatureOptions.CepstralVarianceNormalisation"/> is set), pooled into equal time segments, then the
/// pooled deltas (when <see cref="AudioFeatureOptions.Deltas"/> is set), then each coefficient's standard deviation.
/// </summary>
public static class NormalisedPooling
{
    /// <summary>Frames on each side of the delta regression.</summary>
    public const int DeltaWindow = 2;

    /// <summary>Smallest deviation variance normalisation divides by.</summary>
    public const float DeviationFloor = 1e-3f;

    // Σ n² for n = 1..DeltaWindow, times 2: the regression's denominator.
    private const float DeltaDenominator = 10f;

    /// <summary>Writes the vector of frames [<paramref name="start"/>, <paramref name="end"/>) into <paramref
    /// name="vector"/>.</summary>
    public static void Encode(FeatureFrames frames, AudioFeatureOptions options, int start, int end, Span<float> vector)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(options);
        if (vector.Length != options.VectorLength)
        {
            throw new
                ArgumentException($"The utterance vector has {options.VectorLength} values, the destination "
                    + $"{vector.Length}.", nameof(vector));
        }

        if (start < 0 || end > frames.Count || end <= start)
        {
            throw new
                ArgumentException($"Frames [{start}, {end}) are not a non-empty range of the {frames.Count} stored.",
                    nameof(end));
        }

        var coefficients = frames.Coefficients;
        var segments = options.PooledSegments;
        Span<float> mean = stackalloc float[coefficients];
        Span<float> inverse = stackalloc float[coefficients];
        Span<float> delta = stackalloc float[coefficients];
        var count = end - start;
        var deviation = vector.Slice(vector.Length - coefficients, coefficients);
        Statistics(frames, start, end, mean, deviation);
        if (!options.CepstralMeanNormalisation)
        {
            mean.Clear();
        }

        for (var c = 0; c < coefficients; c++)
        {
            // A floor keeps a constant coefficient (digital silence, one-frame words) from blowing up.
            inverse[c] = options.CepstralVarianceNormalisation ? 1f / Math.Max(deviation[c], DeviationFloor) : 1f;
        }

        var deltaBase = segments * coefficients;
        for (var s = 0; s < segments; s++)
        {
            // Segments of fewer frames than segments reuse the nearest frame, so short words still fill every slot.
            var from = start + (s * count / segments);
            var to = Math.Max(from + 1, start + ((s + 1) * count / segments));
            var pooled = vector.Slice(s * coefficients, coefficients);
            var pooledDelta = options.Deltas ? vector.Slice(deltaBase + (s * coefficients), coefficients) : [];
            pooled.Clear();
            pooledDelta.Clear();
            for (var f = from; f < to; f++)
            {
                var mfcc = frames.Mfcc(f);
                for (var c = 0; c < coefficients; c++)
                {
                    pooled[c] += (mfcc[c] - mean[c]) * inverse[c];
                }

                if (options.Deltas)
                {
                    Delta(frames, f, start, end, delta);
                    for (var c = 0; c < coefficients; c++)
                    {
                        pooledDelta[c] += delta[c] * inverse[c];
                    }
                }
            }

            var scale = 1f / (to - from);
            for (var c = 0; c < coefficients; c++)
            {
                pooled[c] *= scale;
            }

            for (var c = 0; c < pooledDelta.Length; c++)
            {
                pooledDelta[c] *= scale;
            }
        }
    }

    /// <summary>
    /// Delta of frame <paramref name="frame"/>: Σₙ n·(c[t+n] − c[t−n]) / (2 Σₙ n²), n = 1..<see cref="DeltaWindow"/>,
    /// with frames beyond the trimmed range [<paramref name="start"/>, <paramref name="end"/>) replaced by its edge
    /// frames.
    /// </summary>
    public static void Delta(FeatureFrames frames, int frame, int start, int end, Span<float> delta)
    {
        ArgumentNullException.ThrowIfNull(frames);
        delta.Clear();
        for (var n = 1; n <= DeltaWindow; n++)
        {
            var later = frames.Mfcc(Math.Min(end - 1, frame + n));
            var earlier = frames.Mfcc(Math.Max(start, frame - n));
            for (var c = 0; c < delta.Length; c++)
            {
                delta[c] += n * (later[c] - earlier[c]) / DeltaDenominator;
            }
        }
    }

    private static void Statistics(FeatureFrames frames, int start, int end, Span<float> mean, Span<float> deviation)
    {
        var count = end - start;
        for (var c = 0; c < mean.Length; c++)
        {
            double sum = 0, squares = 0;
            for (var f = start; f < end; f++)
            {
                var value = frames.Mfcc(f)[c];
                sum += value;
                squares += value * value;
            }

            var average = sum / count;
            mean[c] = (float)average;
            deviation[c] = (float)Math.Sqrt(Math.Max(0, (squares / count) - (average * average)));
        }
    }
}
