using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Domain.Models;

namespace Edge.Trainer.Export;

/// <summary>The audio input description of an FSDD model: the front end the corpus was encoded with and its
/// training-split standardisation.</summary>
public static class FsddAudioInput
{
    /// <summary>
    /// Statistics of the conventional split's training recordings (index ≥ 5), as <see cref="FsddDataset"/>
    /// standardises
    /// them. Checked against <paramref name="task"/>'s first test example, so an agent's features can never silently
    /// differ from the ones the model was trained on.
    /// </summary>
    public static AudioInputEncoding Conventional(FsddDataset corpus, ClassificationTask task,
        AudioFeatureOptions? options = null)
        => ForTrainingSplit(corpus, task, r => r.Index > 4, options);

    /// <summary>Statistics of the recordings <paramref name="isTraining"/> selects, checked against <paramref
    /// name="task"/>'s first test example.</summary>
    public static AudioInputEncoding ForTrainingSplit(FsddDataset corpus, ClassificationTask
        task, Func<FsddRecording, bool> isTraining, AudioFeatureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(isTraining);
        var size = corpus.FeatureCount;
        var mean = new double[size];
        var variance = new double[size];
        var train = 0;
        foreach (var recording in corpus.Recordings)
        {
            if (isTraining(recording))
            {
                train++;
                for (var f = 0; f < size; f++)
                {
                    mean[f] += recording.Features[f];
                }
            }
        }

        if (train == 0)
        {
            throw new ArgumentException("The FSDD training split is empty.", nameof(isTraining));
        }

        for (var f = 0; f < size; f++)
        {
            mean[f] /= train;
        }

        foreach (var recording in corpus.Recordings)
        {
            if (isTraining(recording))
            {
                for (var f = 0; f < size; f++)
                {
                    var d = recording.Features[f] - mean[f];
                    variance[f] += d * d / train;
                }
            }
        }

        var meanValues = new float[size];
        var scale = new float[size];
        for (var f = 0; f < size; f++)
        {
            meanValues[f] = (float)mean[f];
            scale[f] = (float)Math.Sqrt(variance[f] + 1e-12);
        }

        var encoding = AudioInputEncoding.From(options ?? new AudioFeatureOptions(), meanValues, scale);
        CheckAgainst(corpus, task, isTraining, encoding);
        return encoding;
    }

    private static void CheckAgainst(
        FsddDataset corpus, ClassificationTask task, Func<FsddRecording, bool> isTraining, AudioInputEncoding encoding)
    {
        var test = corpus.Recordings.Where(r => !isTraining(r)).ToList();
        if (test.Count == 0 || task.Test.Count == 0)
        {
            return;
        }

        if (encoding.DeviceStatisticsWindow > 0)
        {
            CheckDeviceStatistics(test, task, encoding);
            return;
        }

        var standardised = test[0].Features.ToArray();
        for (var f = 0; f < standardised.Length; f++)
        {
            standardised[f] = (standardised[f] - encoding.Mean[f]) / encoding.Scale[f];
        }

        if (!Reproduces(task.Test.Row(0), standardised, out var feature))
        {
            throw Mismatch(task, feature, standardised, task.Test.Row(0));
        }
    }

    // With running device statistics each test speaker is a device that hears its words in some order, so the first
    // word it heard — standardised by a fresh device's statistics, the package's as prior — must be one of its rows.
    private static void CheckDeviceStatistics(
        List<FsddRecording> test, ClassificationTask task, AudioInputEncoding encoding)
    {
        var speaker = test[0].Speaker;
        var (feature, last) = (0, 0);
        float[] standardised = [];
        for (var row = 0; row < test.Count; row++)
        {
            if (test[row].Speaker != speaker)
            {
                continue;
            }

            var device = new DeviceFeatureStatistics(
                encoding.Mean, encoding.Scale, encoding.DeviceStatisticsWindow, encoding.DeviceStatisticsWarmUp);
            standardised = test[row].Features.ToArray();
            last = row;
            device.Observe(standardised);
            device.Standardise(standardised);
            if (Reproduces(task.Test.Row(row), standardised, out feature))
            {
                return;
            }
        }

        throw Mismatch(task, feature, standardised, task.Test.Row(last));
    }

    private static bool Reproduces(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, out int feature)
    {
        for (feature = 0; feature < expected.Length; feature++)
        {
            if (Math.Abs(actual[feature] - expected[feature]) > 1e-3 * (1 + Math.Abs(expected[feature])))
            {
                return false;
            }
        }

        return true;
    }

    private static InvalidOperationException Mismatch(
        ClassificationTask task, int feature, float[] actual, ReadOnlySpan<float> expected)
        => new($"The FSDD standardisation does not reproduce task '{task.Name}' (feature {feature}: "
            + $"{actual[feature]} vs {expected[feature]}); the package would mislead agents.");
}
