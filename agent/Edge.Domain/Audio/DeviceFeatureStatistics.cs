namespace Edge.Domain.Audio;

/// <summary>
/// Causal per-device standardisation of utterance vectors, learnt from the device's own unlabelled utterances: the
/// label-free counterpart of standardising each speaker by their own statistics. It starts from the training split's
/// mean and scale, counted as <see cref="AudioFeatureOptions.DeviceStatisticsWarmUp"/> utterances; each utterance then
/// moves the statistics by 1/n, n being the warm-up plus the utterances seen, capped at
/// <see cref="AudioFeatureOptions.DeviceStatisticsWindow"/> — from there on an exponential average over roughly that
/// many recent utterances. Memory is two values per feature whatever the number of utterances. Not thread-safe.
/// </summary>
public sealed class DeviceFeatureStatistics
{
    private const double VarianceFloor = 1e-12;

    private readonly double[] _mean;
    private readonly double[] _variance;
    private readonly int _window;
    private readonly int _warmUp;

    /// <summary>Starts from <paramref name="priorMean"/> and <paramref name="priorScale"/> (positive
    /// deviations).</summary>
    public DeviceFeatureStatistics(
        IReadOnlyList<float> priorMean, IReadOnlyList<float> priorScale, int window, int warmUp)
    {
        ArgumentNullException.ThrowIfNull(priorMean);
        ArgumentNullException.ThrowIfNull(priorScale);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmUp, 1);
        if (priorMean.Count != priorScale.Count || priorMean.Count == 0)
        {
            throw new ArgumentException(
                $"The prior has {priorMean.Count} means and {priorScale.Count} scales; "
                + "both need the same, non-zero count.");
        }

        _mean = new double[priorMean.Count];
        _variance = new double[priorMean.Count];
        for (var f = 0; f < _mean.Length; f++)
        {
            _mean[f] = priorMean[f];
            _variance[f] = (double)priorScale[f] * priorScale[f];
        }

        (_window, _warmUp) = (window, warmUp);
    }

    /// <summary>Features per vector.</summary>
    public int Size => _mean.Length;

    /// <summary>Utterances observed since this instance was made (an agent restart begins a new warm-up).</summary>
    public long Observed { get; private set; }

    /// <summary>Whether the prior weighs less than the utterances seen, i.e. the warm-up is over.</summary>
    public bool WarmedUp => Observed >= _warmUp;

    /// <summary>Moves the statistics towards <paramref name="vector"/>, one utterance's raw front-end vector.</summary>
    public void Observe(ReadOnlySpan<float> vector)
    {
        CheckSize(vector.Length);
        Observed++;
        var rate = 1.0 / Math.Min(_warmUp + Observed, _window);
        for (var f = 0; f < _mean.Length; f++)
        {
            // West's exponentially weighted update of mean and variance.
            var difference = vector[f] - _mean[f];
            var step = rate * difference;
            _mean[f] += step;
            _variance[f] = (1 - rate) * (_variance[f] + (difference * step));
        }
    }

    /// <summary>Standardises <paramref name="vector"/> in place with the current statistics.</summary>
    public void Standardise(Span<float> vector)
    {
        CheckSize(vector.Length);
        for (var f = 0; f < _mean.Length; f++)
        {
            vector[f] = (float)((vector[f] - _mean[f]) / Math.Sqrt(Math.Max(_variance[f], VarianceFloor)));
        }
    }

    /// <summary>Current mean of feature <paramref name="feature"/>.</summary>
    public double Mean(int feature) => _mean[feature];

    /// <summary>Current standard deviation of feature <paramref name="feature"/>.</summary>
    public double Scale(int feature) => Math.Sqrt(Math.Max(_variance[feature], VarianceFloor));

    private void CheckSize(int length)
    {
        if (length != _mean.Length)
        {
            throw new ArgumentException($"The vector has {length} features, the statistics {_mean.Length}.");
        }
    }
}
