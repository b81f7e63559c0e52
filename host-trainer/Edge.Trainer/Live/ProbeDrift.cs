using Edge.Domain.Data;
using Edge.Trainer.Training;

namespace Edge.Trainer.Live;

/// <summary>
/// Drift measured where it costs: a fixed labelled probe set (calibration inputs with known labels) played through
/// the device with the running model at every check. The same inputs every time, so rounds compare like for like;
/// logits are averaged over the reference passes and over a sliding window of recent rounds, so readout noise
/// averages out. The score is the probes' accuracy drop from the reference, tested as paired outcomes (McNemar):
/// probes that turned wrong against probes that turned right. Noise turns probes both ways; a change that costs
/// accuracy turns them one way. A quieter but wrong part reads as worse, not better.
/// </summary>
public sealed class ProbeDrift
{
    private readonly LabelledSet _probes;
    private readonly ProbeDriftOptions _options;
    private readonly int _classes;
    private readonly Queue<float[]> _window = new();
    private readonly float[] _windowSum;
    private bool[]? _referenceCorrect;
    private double _referenceAccuracy;

    /// <summary>
    /// Creates the detector for <paramref name="probes"/> and a model of <paramref name="classes"/> classes.
    /// </summary>
    public ProbeDrift(LabelledSet probes, int classes, ProbeDriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentOutOfRangeException.ThrowIfLessThan(probes.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        _probes = probes;
        _classes = classes;
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _windowSum = new float[probes.Count * classes];
    }

    /// <summary>The probe set.</summary>
    public LabelledSet Probes => _probes;

    /// <summary>The probes' accuracy at the reference (NaN before <see cref="SetReference"/>).</summary>
    public double ReferenceAccuracy => _referenceCorrect is null ? double.NaN : _referenceAccuracy;

    /// <summary>
    /// Plays every probe through <paramref name="model"/> (its device) <paramref name="passes"/> times and returns
    /// the logits averaged over the passes, probe by probe.
    /// </summary>
    public async Task<float[]> PlayAsync(PnnModel model, int passes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        var sum = new float[_probes.Count * _classes];
        for (var p = 0; p < passes; p++)
        {
            for (var start = 0; start < _probes.Count; start += model.MaxBatch)
            {
                var count = Math.Min(model.MaxBatch, _probes.Count - start);
                var inputs = _probes.Features.AsMemory(start * _probes.FeatureCount, count * _probes.FeatureCount);
                var logits = await model
                    .ForwardAsync(inputs, count, PassKind.Device, training: false, cancellationToken)
                    .ConfigureAwait(false);
                var target = sum.AsSpan(start * _classes, count * _classes);
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] += logits[i] / passes;
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// Takes <paramref name="logits"/> (probe-by-probe, averaged over passes) as the reference; clears the window.
    /// </summary>
    public void SetReference(ReadOnlySpan<float> logits)
    {
        CheckShape(logits);
        _referenceCorrect = Correct(logits, out _referenceAccuracy);
        _window.Clear();
        Array.Clear(_windowSum);
    }

    /// <summary>
    /// Adds one check's round of probe logits to the window and scores the window against the reference.
    /// </summary>
    public ProbeDriftScore Add(ReadOnlySpan<float> logits)
    {
        CheckShape(logits);
        var reference = _referenceCorrect
            ?? throw new InvalidOperationException(
                "No reference yet: call SetReference with the probes played just after the model was trained.");
        var round = logits.ToArray();
        _window.Enqueue(round);
        Accumulate(round, 1);
        if (_window.Count > _options.Window)
        {
            Accumulate(_window.Dequeue(), -1);
        }

        var now = Correct(_windowSum, out var accuracy);
        var (worse, better) = (0, 0);
        for (var i = 0; i < now.Length; i++)
        {
            worse += reference[i] && !now[i] ? 1 : 0;
            better += !reference[i] && now[i] ? 1 : 0;
        }

        return new ProbeDriftScore(_referenceAccuracy, accuracy, worse, better, _window.Count, _options);
    }

    private void Accumulate(float[] round, int sign)
    {
        for (var i = 0; i < round.Length; i++)
        {
            _windowSum[i] += sign * round[i];
        }
    }

    private bool[] Correct(ReadOnlySpan<float> logits, out double accuracy)
    {
        var correct = new bool[_probes.Count];
        var count = 0;
        for (var p = 0; p < correct.Length; p++)
        {
            var row = logits.Slice(p * _classes, _classes);
            var best = 0;
            for (var c = 1; c < _classes; c++)
            {
                best = row[c] > row[best] ? c : best;
            }

            correct[p] = best == _probes.Labels[p];
            count += correct[p] ? 1 : 0;
        }

        accuracy = (double)count / correct.Length;
        return correct;
    }

    private void CheckShape(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _probes.Count * _classes)
        {
            throw new ArgumentException(
                $"Expected {_probes.Count} probes × {_classes} classes = {_probes.Count * _classes} logits, "
                + $"got {logits.Length}.",
                nameof(logits));
        }
    }
}

/// <summary>How the probe drift score decides.</summary>
public sealed record ProbeDriftOptions
{
    /// <summary>Recent rounds whose logits are averaged (more: less noise, slower to follow a change).</summary>
    public int Window { get; init; } = 4;

    /// <summary>Smallest accuracy drop on the probes that counts as drift (0.02: two points).</summary>
    public double DropThreshold { get; init; } = 0.02;

    /// <summary>
    /// How many standard deviations the probes that turned wrong must exceed those that turned right by (McNemar's
    /// statistic), so noise alone does not fire.
    /// </summary>
    public double MinimumZ { get; init; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public ProbeDriftOptions Validate()
    {
        if (Window < 1)
        {
            throw new ArgumentException($"Probe drift: {nameof(Window)} must be at least 1 round, got {Window}.");
        }

        if (!(DropThreshold is > 0 and < 1))
        {
            throw new ArgumentException(
                $"Probe drift: {nameof(DropThreshold)} must be in (0, 1), got {DropThreshold}.");
        }

        if (!(MinimumZ is > 0 and < 100))
        {
            throw new ArgumentException($"Probe drift: {nameof(MinimumZ)} must be positive, got {MinimumZ}.");
        }

        return this;
    }
}

/// <summary>One probe drift score.</summary>
/// <param name="ReferenceAccuracy">The probes' accuracy just after the model was trained.</param>
/// <param name="Accuracy">The probes' accuracy on the window's averaged logits.</param>
/// <param name="TurnedWrong">Probes right at the reference and wrong now.</param>
/// <param name="TurnedRight">Probes wrong at the reference and right now.</param>
/// <param name="Rounds">Rounds in the window.</param>
/// <param name="Options">The thresholds it was judged with.</param>
public readonly record struct ProbeDriftScore(
    double ReferenceAccuracy, double Accuracy, int TurnedWrong, int TurnedRight, int Rounds, ProbeDriftOptions Options)
{
    /// <summary>Accuracy drop on the probes (0.03: three points).</summary>
    public double Drop => ReferenceAccuracy - Accuracy;

    /// <summary>
    /// McNemar's statistic: how far the turned-wrong probes exceed the turned-right ones, in standard deviations.
    /// </summary>
    public double Z => (TurnedWrong - TurnedRight) / Math.Sqrt(TurnedWrong + TurnedRight + 1.0);

    /// <summary>True when the drop is both large enough to matter and too one-sided to be noise.</summary>
    public bool Drifted => Drop >= Options.DropThreshold && Z >= Options.MinimumZ;
}
