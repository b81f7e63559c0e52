namespace Edge.Domain.Data;

/// <summary>
/// FSDD splits with speaker-level feature normalisation: every speaker's features are standardised with that
/// speaker's own mean and deviation, taken from its training-side recordings. A held-out speaker (leave one speaker
/// out) has none, so its statistics come from its own recordings without their labels — the enrolment a deployed
/// recogniser gets from a new user's first unlabelled words. Speed-perturbed copies count as speakers of their own;
/// synthetic speakers (<see cref="FsddDataset.Synthetic"/>) are each standardised by their own statistics and train.
/// </summary>
public static class FsddSpeakerNormalisation
{
    /// <summary>The conventional split (index 0–4 test) with per-speaker statistics from the training
    /// recordings.</summary>
    public static ClassificationTask ConventionalSpeakerNormalised(this FsddDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Build(data, "fsdd", r => r.Index <= 4);
    }

    /// <summary>Leave-one-speaker-out; the held-out speaker is normalised with its own unlabelled statistics.</summary>
    public static ClassificationTask LeaveOutSpeakerNormalised(this FsddDataset data, string speaker)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.Speakers.Contains(speaker))
        {
            throw new
                ArgumentException($"Unknown FSDD speaker '{speaker}'. Speakers: {string.Join(", ", data.Speakers)}.",
                    nameof(speaker));
        }

        return Build(data, $"fsdd-loso-{speaker}", r => r.Speaker == speaker);
    }

    private static ClassificationTask Build(FsddDataset data, string name, Func<FsddRecording, bool> isTest)
    {
        var width = data.FeatureCount;
        var train = new List<(float[] Features, int Digit)>();
        var test = new List<(float[] Features, int Digit)>();
        var groups = new List<IReadOnlyList<FsddRecording>> { data.Recordings };
        for (var start = 0; start < data.SpeedPerturbed.Count; start += data.Recordings.Count)
        {
            groups.Add(data.SpeedPerturbed.Skip(start).Take(data.Recordings.Count).ToList());
        }

        for (var g = 0; g < groups.Count; g++)
        {
            var original = g == 0;
            foreach (var speaker in data.Speakers)
            {
                var rows = groups[g].Where(r => r.Speaker == speaker).ToList();
                var trainSide = rows.Where(r => !isTest(r)).ToList();
                if (trainSide.Count == 0 && !original)
                {
                    // A held-out speaker's perturbed copies would leak it into training.
                    continue;
                }

                var (mean, scale) = Statistics(trainSide.Count > 0 ? trainSide : rows, width);
                foreach (var r in rows)
                {
                    var testRow = isTest(r);
                    if (testRow && !original)
                    {
                        continue;
                    }

                    (testRow ? test : train).Add((Standardised(r, mean, scale), r.Digit));
                }
            }
        }

        foreach (var voice in data.Synthetic.GroupBy(r => r.Speaker, StringComparer.Ordinal))
        {
            var rows = voice.ToList();
            var (mean, scale) = Statistics(rows, width);
            foreach (var r in rows)
            {
                train.Add((Standardised(r, mean, scale), r.Digit));
            }
        }

        return new ClassificationTask(name, ToSet(train, width), ToSet(test, width), FsddDataset.ClassNames);
    }

    private static float[] Standardised(FsddRecording r, double[] mean, double[] scale)
    {
        var features = new float[mean.Length];
        for (var f = 0; f < features.Length; f++)
        {
            features[f] = (float)((r.Features[f] - mean[f]) * scale[f]);
        }

        return features;
    }

    private static (double[] Mean, double[] Scale) Statistics(List<FsddRecording> rows, int width)
    {
        var mean = new double[width];
        var scale = new double[width];
        foreach (var r in rows)
        {
            for (var f = 0; f < width; f++)
            {
                mean[f] += r.Features[f] / rows.Count;
            }
        }

        foreach (var r in rows)
        {
            for (var f = 0; f < width; f++)
            {
                var d = r.Features[f] - mean[f];
                scale[f] += d * d / rows.Count;
            }
        }

        for (var f = 0; f < width; f++)
        {
            scale[f] = 1 / Math.Sqrt(scale[f] + 1e-12);
        }

        return (mean, scale);
    }

    private static LabelledSet ToSet(List<(float[] Features, int Digit)> rows, int width)
    {
        var features = new float[rows.Count * width];
        var labels = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Features.CopyTo(features, i * width);
            labels[i] = rows[i].Digit;
        }

        return new LabelledSet(features, labels, width);
    }
}
