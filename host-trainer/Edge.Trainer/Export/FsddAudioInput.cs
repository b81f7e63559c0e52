using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Domain.Models;

namespace Edge.Trainer.Export;

/// <summary>The audio input description of an FSDD model: the front end the corpus was encoded with and its training-split standardisation.</summary>
public static class FsddAudioInput
{
    /// <summary>
    /// Statistics of the conventional split's training recordings (index ≥ 5), as <see cref="FsddDataset"/> standardises
    /// them. Checked against <paramref name="task"/>'s first test example, so an agent's features can never silently
    /// differ from the ones the model was trained on.
    /// </summary>
    public static AudioInputEncoding Conventional(FsddDataset corpus, ClassificationTask task, AudioFeatureOptions? options = null)
        => ForTrainingSplit(corpus, task, r => r.Index > 4, options);

    /// <summary>Statistics of the recordings <paramref name="isTraining"/> selects, checked against <paramref name="task"/>'s first test example.</summary>
    public static AudioInputEncoding ForTrainingSplit(FsddDataset corpus, ClassificationTask task, Func<FsddRecording, bool> isTraining, AudioFeatureOptions? options = null)
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

    private static void CheckAgainst(FsddDataset corpus, ClassificationTask task, Func<FsddRecording, bool> isTraining, AudioInputEncoding encoding)
    {
        FsddRecording? first = null;
        foreach (var recording in corpus.Recordings)
        {
            if (!isTraining(recording))
            {
                first = recording;
                break;
            }
        }

        if (first is null || task.Test.Count == 0)
        {
            return;
        }

        var expected = task.Test.Row(0);
        for (var f = 0; f < expected.Length; f++)
        {
            var standardised = (first.Features[f] - encoding.Mean[f]) / encoding.Scale[f];
            if (Math.Abs(standardised - expected[f]) > 1e-3 * (1 + Math.Abs(expected[f])))
            {
                throw new InvalidOperationException($"The FSDD standardisation does not reproduce task '{task.Name}' (feature {f}: {standardised} vs {expected[f]}); the package would mislead agents.");
            }
        }
    }
}
