namespace Edge.Agent.Models;

/// <summary>
/// Live health of the active model over a rolling window of classifications: the mean winning-class probability
/// (a model that no longer fits the device becomes unsure) and the fraction of device calls that failed. When the
/// window is full and either crosses its threshold the model is unhealthy.
/// </summary>
public sealed class HealthMonitor
{
    private readonly float[] _confidence;
    private readonly bool[] _deviceError;
    private readonly double _minMeanConfidence;
    private readonly double _maxDeviceErrorRate;
    private int _next;
    private int _count;

    /// <summary>Creates a monitor over <paramref name="window"/> classifications.</summary>
    public HealthMonitor(int window, double minMeanConfidence, double maxDeviceErrorRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        _confidence = new float[window];
        _deviceError = new bool[window];
        _minMeanConfidence = minMeanConfidence;
        _maxDeviceErrorRate = maxDeviceErrorRate;
    }

    /// <summary>Mean winning-class probability of the successful classifications in the window (1 when none).</summary>
    public double MeanConfidence { get; private set; } = 1;

    /// <summary>Fraction of the window whose device call failed.</summary>
    public double DeviceErrorRate { get; private set; }

    /// <summary>Records a successful classification.</summary>
    public void RecordSuccess(float confidence) => Record(confidence, error: false);

    /// <summary>Records a classification the device failed.</summary>
    public void RecordDeviceError() => Record(0, error: true);

    /// <summary>Why the model is unhealthy, or null while the window is not full or both figures are within limits.</summary>
    public string? Verdict()
    {
        if (_count < _confidence.Length)
        {
            return null;
        }

        if (DeviceErrorRate > _maxDeviceErrorRate)
        {
            return $"device error rate {DeviceErrorRate:P0} over the last {_count} classifications exceeds {_maxDeviceErrorRate:P0}";
        }

        return MeanConfidence < _minMeanConfidence
            ? $"mean confidence {MeanConfidence:F3} over the last {_count} classifications is below {_minMeanConfidence:F3}"
            : null;
    }

    /// <summary>Empties the window (after a model change).</summary>
    public void Reset()
    {
        _next = 0;
        _count = 0;
        MeanConfidence = 1;
        DeviceErrorRate = 0;
    }

    private void Record(float confidence, bool error)
    {
        _confidence[_next] = confidence;
        _deviceError[_next] = error;
        _next = (_next + 1) % _confidence.Length;
        _count = Math.Min(_count + 1, _confidence.Length);
        var sum = 0.0;
        var successes = 0;
        var errors = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_deviceError[i])
            {
                errors++;
            }
            else
            {
                sum += _confidence[i];
                successes++;
            }
        }

        MeanConfidence = successes == 0 ? 1 : sum / successes;
        DeviceErrorRate = (double)errors / _count;
    }
}
