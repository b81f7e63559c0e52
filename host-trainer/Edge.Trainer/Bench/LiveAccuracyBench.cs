using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Training;

namespace Edge.Trainer.Bench;

/// <summary>
/// <c>bench drift --score live</c>: does the live accuracy the agent publishes (its calibration probes: the
/// calibration set classified once per round with the active model on the device, the mean of the last rounds)
/// fire on what costs accuracy and stay quiet otherwise, as the trainer's watch reads it? For each change of
/// <see cref="DriftBench.Grid"/> the bench replays the field in simulated time — traffic at
/// <see cref="LiveAccuracyBenchOptions.InferencesPerSecond"/> drawn from the test set, a probe round every
/// <see cref="LiveAccuracyBenchOptions.RoundSeconds"/> — first a quiet stretch from the model's activation (a whole
/// simulated day for "no change"), then the change. The probe accuracies are recorded once and every
/// <see cref="LiveAccuracySetting"/> (probe schedule, window, reference rounds, threshold) is scored on them.
/// </summary>
public static partial class LiveAccuracyBench
{
    /// <summary>Runs the grid; <paramref name="report"/> receives each change's series as it is measured.</summary>
    public static async Task<LiveAccuracyBenchResult> RunAsync(
        LiveAccuracyBenchOptions options,
        Action<LiveAccuracySeries>? report = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var series = new List<LiveAccuracySeries>();
        var trained = new List<double>();
        var calibrationExamples = 0;
        foreach (var seed in options.Seeds)
        {
            var (accuracy, examples) = await RecordSeedAsync(options, seed, series, report, cancellationToken)
                .ConfigureAwait(false);
            trained.Add(accuracy);
            calibrationExamples = examples;
        }

        var scores = options.Settings().Select(s => LiveAccuracyScoring.Score(series, s, options)).ToList();
        return new LiveAccuracyBenchResult(options, trained, calibrationExamples, series, scores);
    }

    // One part and model per seed: every change of the grid, recorded into series.
    private static async Task<(double TrainedAccuracy, int CalibrationExamples)> RecordSeedAsync(
        LiveAccuracyBenchOptions options,
        ulong seed,
        List<LiveAccuracySeries> series,
        Action<LiveAccuracySeries>? report,
        CancellationToken cancellationToken)
    {
        var (part, model, task, trainedAccuracy) = await DriftBench.TrainAsync(
            seed, options.Epochs, 256, cancellationToken).ConfigureAwait(false);
        var random = new Random((int)seed);
        foreach (var (kind, change, environment) in DriftBench.Grid)
        {
            part.Environment = PartEnvironment.Calibrated;
            var before = await DriftBench.AccuracyAsync(model, task, options.CostPasses, cancellationToken)
                .ConfigureAwait(false);
            part.Environment = environment;
            var after = await DriftBench.AccuracyAsync(model, task, options.CostPasses, cancellationToken)
                .ConfigureAwait(false);

            // The model is activated on the calibrated part; the change comes after the quiet stretch.
            part.Environment = PartEnvironment.Calibrated;
            var quiet = kind == "none" ? options.NoChangeMinutes : options.QuietMinutes;
            var field = new FieldReplay(model, task, options, random);
            var rounds = new List<LiveAccuracyRound>();
            var changeAt = quiet * 60.0;
            var total = (int)Math.Round((quiet + options.ChangedMinutes) * 60 / options.RoundSeconds);
            for (var k = 1; k <= total; k++)
            {
                if (Math.Abs(((k - 1) * options.RoundSeconds) - changeAt) < 1e-9)
                {
                    part.Environment = environment;
                }

                await field.TrafficAsync(cancellationToken).ConfigureAwait(false);
                var accuracy = await field.ProbeRoundAsync(cancellationToken).ConfigureAwait(false);
                rounds.Add(new LiveAccuracyRound(k * options.RoundSeconds, accuracy, field.ClassShift()));
            }

            var measured = new LiveAccuracySeries(seed, kind, change, before, after, changeAt, rounds);
            series.Add(measured);
            report?.Invoke(measured);
        }

        part.Environment = PartEnvironment.Calibrated;
        return (trainedAccuracy, task.Test.Count);
    }

    // One agent's field: answered traffic (remembered for the class mix) and calibration probe rounds.
    private sealed class FieldReplay(
        PnnModel model, ClassificationTask task, LiveAccuracyBenchOptions options, Random random)
    {
        private readonly int[] _recent = new int[options.ClassMixWindow];
        private readonly int[] _counts = new int[task.ClassCount];
        private readonly double[] _calibrationMix = Enumerable.Range(0, task.ClassCount)
            .Select(c => (double)task.Test.Labels.Count(l => l == c) / task.Test.Count)
            .ToArray();
        private readonly float[] _traffic = new float[model.MaxBatch * task.Test.FeatureCount];
        private int _next;
        private int _filled;
        private double _carry;

        public async Task TrafficAsync(CancellationToken token)
        {
            var test = task.Test;
            _carry += options.RoundSeconds * options.InferencesPerSecond;
            var due = (int)_carry;
            _carry -= due;
            while (due > 0)
            {
                var count = Math.Min(due, model.MaxBatch);
                for (var i = 0; i < count; i++)
                {
                    test.Row(random.Next(test.Count)).CopyTo(_traffic.AsSpan(i * test.FeatureCount));
                }

                var logits = await model
                    .ForwardAsync(_traffic.AsMemory(0, count * test.FeatureCount), count, PassKind.Device, false, token)
                    .ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    Remember(ArgMax(logits.AsSpan(i * task.ClassCount, task.ClassCount)));
                }

                due -= count;
            }
        }

        // The agent's round: every calibration example once, in order, argmax against its label.
        public async Task<double> ProbeRoundAsync(CancellationToken token)
        {
            var calibration = task.Test;
            var right = 0;
            for (var start = 0; start < calibration.Count; start += model.MaxBatch)
            {
                var count = Math.Min(model.MaxBatch, calibration.Count - start);
                var inputs = calibration.Features.AsMemory(
                    start * calibration.FeatureCount, count * calibration.FeatureCount);
                var logits = await model.ForwardAsync(inputs, count, PassKind.Device, false, token)
                    .ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    var label = ArgMax(logits.AsSpan(i * task.ClassCount, task.ClassCount));
                    right += label == calibration.Labels[start + i] ? 1 : 0;
                }
            }

            return (double)right / calibration.Count;
        }

        // Total variation distance between the answers' class mix and the calibration set's, as the agent reports
        // it (classShift); NaN below the agent's minimum of a quarter window.
        public double ClassShift()
        {
            if (_filled < Math.Max(1, _recent.Length / 4))
            {
                return double.NaN;
            }

            var distance = 0.0;
            for (var c = 0; c < _counts.Length; c++)
            {
                distance += Math.Abs(((double)_counts[c] / _filled) - _calibrationMix[c]);
            }

            return distance / 2;
        }

        private void Remember(int label)
        {
            if (_filled == _recent.Length)
            {
                _counts[_recent[_next]]--;
            }
            else
            {
                _filled++;
            }

            _recent[_next] = label;
            _counts[label]++;
            _next = (_next + 1) % _recent.Length;
        }

        private static int ArgMax(ReadOnlySpan<float> row)
        {
            var best = 0;
            for (var c = 1; c < row.Length; c++)
            {
                best = row[c] > row[best] ? c : best;
            }

            return best;
        }
    }
}
