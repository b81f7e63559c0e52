using Edge.Domain.Audio;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Data;

public sealed class SpeakerNormalisationTests
{
    private static readonly Lazy<FsddDataset> Perturbed = new(() => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), [0.9, 1.1], maxIndex: 6));

    [Fact]
    public void Held_out_speaker_is_standardised_by_its_own_recordings_and_never_trained_on()
    {
        var data = Perturbed.Value;
        var loso = data.LeaveOutSpeakerNormalised("theo");

        // 70 recordings per speaker; the four training speakers come three times (original, 0.9x, 1.1x).
        Assert.Equal(70, loso.Test.Count);
        Assert.Equal(4 * 70 * 3, loso.Train.Count);
        AssertStandardised(loso.Test, 0, loso.Test.Count);

        // The plain split of the same data keeps theo's features at the training speakers' scale instead.
        var plain = data.LeaveOut("theo");
        Assert.Equal(70, plain.Test.Count);
        Assert.NotEqual(loso.Test.Features, plain.Test.Features);
    }

    [Fact]
    public void Conventional_split_takes_each_speakers_statistics_from_its_training_recordings_only()
    {
        var data = FsddDataset.Load(maxIndex: 6);
        var task = data.ConventionalSpeakerNormalised();

        Assert.Equal(250, task.Test.Count);
        Assert.Equal(100, task.Train.Count);

        // Rows are grouped speaker by speaker (sorted names), 20 training rows each (10 digits × indices 5 and 6).
        var width = task.Train.FeatureCount;
        var perSpeaker = new List<float>[5];
        for (var s = 0; s < 5; s++)
        {
            perSpeaker[s] = [];
        }

        for (var row = 0; row < task.Train.Count; row++)
        {
            perSpeaker[row / 20].AddRange(task.Train.Row(row).ToArray());
        }

        foreach (var rows in perSpeaker)
        {
            var set = new LabelledSet([.. rows], new int[rows.Count / width], width);
            AssertStandardised(set, 0, set.Count);
        }
    }

    [Fact]
    public void Speed_factors_out_of_range_and_unknown_speakers_are_named()
    {
        Assert.Contains("Speed factors must lie in [0.5, 2]", Assert.Throws<ArgumentOutOfRangeException>(() => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), [3.0])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), [1.0]));
        Assert.Contains("Speakers: george", Assert.Throws<ArgumentException>(() => Perturbed.Value.LeaveOutSpeakerNormalised("alice")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Speed_perturbed_copies_differ_from_their_source_and_keep_its_labels()
    {
        var data = Perturbed.Value;

        Assert.Equal(2 * data.Recordings.Count, data.SpeedPerturbed.Count);
        for (var i = 0; i < data.Recordings.Count; i += 37)
        {
            var source = data.Recordings[i];
            var slower = data.SpeedPerturbed[i];
            Assert.Equal((source.Digit, source.Speaker, source.Index), (slower.Digit, slower.Speaker, slower.Index));
            Assert.NotEqual(source.Features, slower.Features);
        }
    }

    private static void AssertStandardised(LabelledSet set, int from, int to)
    {
        for (var f = 0; f < set.FeatureCount; f++)
        {
            double sum = 0, squares = 0;
            for (var r = from; r < to; r++)
            {
                var v = set.Row(r)[f];
                sum += v;
                squares += v * v;
            }

            var mean = sum / (to - from);
            Assert.True(Math.Abs(mean) < 1e-3, $"feature {f}: mean {mean}");
            Assert.True(Math.Abs((squares / (to - from)) - (mean * mean) - 1) < 1e-3, $"feature {f}: variance {(squares / (to - from)) - (mean * mean)}");
        }
    }
}
