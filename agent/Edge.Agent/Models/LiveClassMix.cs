namespace Edge.Agent.Models;

/// <summary>
/// A label-free live signal: how far the mix of classes the model predicts on recent local traffic is from the mix of
/// the calibration set (total variation distance, 0: the same mix, 1: disjoint). A part that drifts tends to pull its
/// answers towards a few classes long before anyone labels its traffic. Keeps the last <see cref="Window"/> answers
/// only; thread-safe.
/// </summary>
public sealed class LiveClassMix
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _reference;
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly string[] _recent;
    private int _next;
    private int _filled;

    /// <summary>Compares with the class mix of <paramref name="referenceLabels"/> (the calibration set's labels).
    /// </summary>
    public LiveClassMix(IReadOnlyList<string> referenceLabels, int window = 200, int minimum = 50)
    {
        ArgumentNullException.ThrowIfNull(referenceLabels);
        ArgumentOutOfRangeException.ThrowIfLessThan(referenceLabels.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimum, window);
        _reference = referenceLabels
            .GroupBy(l => l, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (double)g.Count() / referenceLabels.Count, StringComparer.Ordinal);
        _recent = new string[window];
        Minimum = minimum;
    }

    /// <summary>Answers remembered.</summary>
    public int Window => _recent.Length;

    /// <summary>Fewer answers than this give no figure.</summary>
    public int Minimum { get; }

    /// <summary>Remembers one answer (the oldest is forgotten once the window is full).</summary>
    public void Add(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        lock (_gate)
        {
            if (_filled == _recent.Length)
            {
                var oldest = _recent[_next];
                if (--_counts[oldest] == 0)
                {
                    _counts.Remove(oldest);
                }
            }
            else
            {
                _filled++;
            }

            _recent[_next] = label;
            _next = (_next + 1) % _recent.Length;
            _counts[label] = _counts.GetValueOrDefault(label) + 1;
        }
    }

    /// <summary>Forgets every answer (a new model answers differently).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_recent);
            _counts.Clear();
            (_next, _filled) = (0, 0);
        }
    }

    /// <summary>The total variation distance of the recent mix from the reference; null below the minimum.</summary>
    public double? Shift()
    {
        lock (_gate)
        {
            if (_filled < Minimum)
            {
                return null;
            }

            var distance = 0.0;
            foreach (var (label, share) in _reference)
            {
                distance += Math.Abs(((double)_counts.GetValueOrDefault(label) / _filled) - share);
            }

            foreach (var (label, count) in _counts)
            {
                distance += _reference.ContainsKey(label) ? 0 : (double)count / _filled;
            }

            return distance / 2;
        }
    }
}
