using Edge.Domain.Audio;

namespace Edge.Domain.Data;

/// <summary>
/// FSDD splits standardised as a deployed agent with running device statistics does it
/// (<see cref="AudioFeatureOptions.DeviceStatisticsWindow"/>): training speakers by their own statistics, as
/// <see cref="FsddSpeakerNormalisation"/> does; each test speaker as one device hearing its words in a seeded random
/// order, every word standardised by <see cref="DeviceFeatureStatistics"/> over the words before it and itself,
/// starting from the training split's statistics — causal, with no labels and no look at later words.
/// </summary>
public static class FsddDeviceNormalisation
{
    /// <summary>Leave-one-speaker-out; the held-out speaker's words pass through running device statistics.</summary>
    public static ClassificationTask LeaveOutDeviceNormalised(
        this FsddDataset data, string speaker, int window, int warmUp, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var task = data.LeaveOutSpeakerNormalised(speaker);
        return task with { Test = Causal(data, r => r.Speaker == speaker, window, warmUp, seed) };
    }

    /// <summary>The conventional split (index 0–4 test); each speaker's test words are one device's.</summary>
    public static ClassificationTask ConventionalDeviceNormalised(
        this FsddDataset data, int window, int warmUp, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var task = data.ConventionalSpeakerNormalised();
        return task with { Test = Causal(data, r => r.Index <= 4, window, warmUp, seed) };
    }

    // Test rows stay in corpus order; each speaker's words are standardised in a shuffled order, the order its device
    // would have heard them in.
    private static LabelledSet Causal(
        FsddDataset data, Func<FsddRecording, bool> isTest, int window, int warmUp, ulong seed)
    {
        var width = data.FeatureCount;
        var (mean, scale) = TrainingStatistics(data, isTest, width);
        var test = data.Recordings.Where(isTest).ToList();
        var features = new float[test.Count * width];
        var labels = test.Select(r => r.Digit).ToArray();
        var random = new Random((int)(seed % int.MaxValue));
        foreach (var speaker in test.Select(r => r.Speaker).Distinct(StringComparer.Ordinal))
        {
            var device = new DeviceFeatureStatistics(mean, scale, window, warmUp);
            var order = Enumerable.Range(0, test.Count).Where(i => test[i].Speaker == speaker).ToArray();
            random.Shuffle(order);
            foreach (var i in order)
            {
                var row = features.AsSpan(i * width, width);
                test[i].Features.CopyTo(row);
                device.Observe(row);
                device.Standardise(row);
            }
        }

        return new LabelledSet(features, labels, width);
    }

    // The prior a package ships: mean and deviation of the real training-side recordings.
    private static (float[] Mean, float[] Scale) TrainingStatistics(
        FsddDataset data, Func<FsddRecording, bool> isTest, int width)
    {
        var train = data.Recordings.Where(r => !isTest(r)).ToList();
        var mean = new double[width];
        var squares = new double[width];
        foreach (var r in train)
        {
            for (var f = 0; f < width; f++)
            {
                mean[f] += r.Features[f];
                squares[f] += (double)r.Features[f] * r.Features[f];
            }
        }

        var m = new float[width];
        var s = new float[width];
        for (var f = 0; f < width; f++)
        {
            var average = mean[f] / train.Count;
            m[f] = (float)average;
            s[f] = (float)Math.Sqrt(Math.Max((squares[f] / train.Count) - (average * average), 0) + 1e-12);
        }

        return (m, s);
    }
}
