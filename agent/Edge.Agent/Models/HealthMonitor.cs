namespace Edge.Agent.Models;

/// <summary>
/// Live health of the active model over a rolling window of classifications: the mean winning-class probability
/// (a model that no longer fits the device becomes unsure) and the fraction of device calls that failed. When the
/// window is full and either crosses its threshold the model is unhealthy. Confidence alone misses a model that is
/// sure and wrong, so the calibration set is also replayed periodically (labels known): when the mean accuracy of
/// the last probe rounds falls too far below the figure measured at install, the model is unhealthy too.
/// </summary>
public sealed class HealthMonitor
{
    private readonly float[] _confidence;
    private readonly bool[] _deviceError;
    private readonly double _minMeanConfidence;
    private readonly double _maxDeviceErrorRate;
    private readonly Queue<double> _calibration = new();
    private readonly int _calibrationWindow;
    private readonly double _maxCalibrationDrop;
    private double _installAccuracy = double.NaN;
    private int _next;
    private int _count;

    /// <summary>
    /// Creates a monitor over <paramref name="window"/> classifications and <paramref name="calibrationWindow"/>
    /// calibration probe rounds.
    /// </summary>
    public HealthMonitor(
        int window,
        double minMeanConfidence,
        double maxDeviceErrorRate,
        int calibrationWindow = 4,
        double maxCalibrationDrop = 0.10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(calibrationWindow);
        (_calibrationWindow, _maxCalibrationDrop) = (calibrationWindow, maxCalibrationDrop);
        _confidence = new float[window];
        _deviceError = new bool[window];
        _minMeanConfidence = minMeanConfidence;
        _maxDeviceErrorRate = maxDeviceErrorRate;
    }

    /// <summary>Mean winning-class probability of the successful classifications in the window (1 when none).</summary>
    public double MeanConfidence { get; private set; } = 1;

    /// <summary>Fraction of the window whose device call failed.</summary>
    public double DeviceErrorRate { get; private set; }

    /// <summary>Mean calibration accuracy of the recent probe rounds, or NaN before the first.</summary>
    public double LiveCalibrationAccuracy { get; private set; } = double.NaN;

    /// <summary>Probe rounds in the calibration window.</summary>
    public int CalibrationRounds => _calibration.Count;

    /// <summary>
    /// Records one calibration probe round: <paramref name="accuracy"/> of the active model on the calibration set now,
    /// against <paramref name="installAccuracy"/>, its accuracy on the same set when it was installed.
    /// </summary>
    public void RecordCalibration(double accuracy, double installAccuracy)
    {
        _installAccuracy = installAccuracy;
        _calibration.Enqueue(accuracy);
        if (_calibration.Count > _calibrationWindow)
        {
            _calibration.Dequeue();
        }

        LiveCalibrationAccuracy = _calibration.Average();
    }

    /// <summary>Records a successful classification.</summary>
    public void RecordSuccess(float confidence) => Record(confidence, error: false);

    /// <summary>Records a classification the device failed.</summary>
    public void RecordDeviceError() => Record(0, error: true);

    /// <summary>Why the model is unhealthy, or null while the window is not full or both figures are within
    /// limits.</summary>
    public string? Verdict()
    {
        if (_calibration.Count >= _calibrationWindow && double.IsFinite(_installAccuracy)
            && LiveCalibrationAccuracy < _installAccuracy - _maxCalibrationDrop)
        {
            return $"calibration accuracy {LiveCalibrationAccuracy:P1} over the last {_calibration.Count} probe "
                + $"rounds is more than {_maxCalibrationDrop:P0} below the {_installAccuracy:P1} measured at install";
        }

        if (_count < _confidence.Length)
        {
            return null;
        }

        if (DeviceErrorRate > _maxDeviceErrorRate)
        {
            return
                $"device error rate {DeviceErrorRate:P0} over the last {_count} classifications exceeds "
                    + $"{_maxDeviceErrorRate:P0}";
        }

        return MeanConfidence < _minMeanConfidence
            ? $"mean confidence {MeanConfidence:F3} over the last {_count} classifications is below "
                + $"{_minMeanConfidence:F3}"
            : null;
    }

    /// <summary>Empties the window (after a model change).</summary>
    public void Reset()
    {
        _next = 0;
        _count = 0;
        MeanConfidence = 1;
        DeviceErrorRate = 0;
        _calibration.Clear();
        LiveCalibrationAccuracy = double.NaN;
        _installAccuracy = double.NaN;
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
