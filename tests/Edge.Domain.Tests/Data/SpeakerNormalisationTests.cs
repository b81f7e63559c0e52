using Edge.Domain.Audio;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Data;

public sealed class SpeakerNormalisationTests
{
    private static readonly Lazy<FsddDataset> Perturbed = new(()
        => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), [0.9, 1.1], maxIndex: 6));

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
        Assert.Contains("Speed factors must lie in [0.5, 2]", Assert.Throws<ArgumentOutOfRangeException>(()
            => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), [3.0])).Message,
                StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(()
            => FsddDataset.LoadWithSpeedPerturbation(new AudioFeatureOptions(), [1.0]));
        Assert.Contains("Speakers: george", Assert.Throws<ArgumentException>(()
            => Perturbed.Value.LeaveOutSpeakerNormalised("alice")).Message, StringComparison.Ordinal);
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

    [Fact]
    public void Synthetic_speakers_only_train_each_standardised_by_its_own_statistics()
    {
        var data = FsddDataset.Load(maxIndex: 6);
        var width = data.FeatureCount;
        var random = new Random(5);
        var voices = new List<FsddRecording>();
        foreach (var voice in new[] { "tts-a", "tts-b" })
        {
            for (var digit = 0; digit < 10; digit++)
            {
                // Each voice has its own offset and scale, which standardisation must remove.
                var offset = voice == "tts-a" ? 40f : -7f;
                var features = Enumerable.Range(0,
                    width).Select(_ => offset + ((float)random.NextDouble() * (voice == "tts-a" ? 9f : 0.3f)))
                        .ToArray();
                voices.Add(new FsddRecording($"{digit}_{voice}.wav", digit, voice, 0, features));
            }
        }

        var augmented = data.WithSyntheticSpeakers(voices);
        Assert.Equal(data.Speakers, augmented.Speakers);

        var loso = augmented.LeaveOutSpeakerNormalised("theo");
        var plainLoso = data.LeaveOutSpeakerNormalised("theo");
        Assert.Equal(plainLoso.Test.Features, loso.Test.Features);
        Assert.Equal(plainLoso.Train.Count + 20, loso.Train.Count);
        var tail = new LabelledSet(loso.Train.Features[^(20 * width)..], loso.Train.Labels[^20..], width);
        AssertStandardised(new LabelledSet(tail.Features[..(10 * width)], tail.Labels[..10], width), 0, 10);
        AssertStandardised(new LabelledSet(tail.Features[(10 * width)..], tail.Labels[10..], width), 0, 10);

        var conventional = augmented.Conventional();
        Assert.Equal(data.Conventional().Test.Count, conventional.Test.Count);
        Assert.Equal(data.Conventional().Train.Count + 20, conventional.Train.Count);
    }

    [Fact]
    public void Synthetic_speakers_with_other_features_or_a_real_speakers_name_are_refused_by_name()
    {
        var data = FsddDataset.Load(maxIndex: 5);
        var shortRow = new FsddRecording("0_x.wav", 0, "tts-x", 0, new float[3]);
        Assert.Contains("has 3 features, this data set 91", Assert.Throws<ArgumentException>(()
            => data.WithSyntheticSpeakers([shortRow])).Message, StringComparison.Ordinal);
        var impostor = new FsddRecording("0_theo.wav", 0, "theo", 0, new float[data.FeatureCount]);
        Assert.Contains("'theo' has the name of a real speaker", Assert.Throws<ArgumentException>(()
            => data.WithSyntheticSpeakers([impostor])).Message, StringComparison.Ordinal);
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
            Assert.True(Math.Abs((squares / (to - from)) - (mean * mean) - 1) < 1e-3,
                $"feature {f}: variance {(squares / (to - from)) - (mean * mean)}");
        }
    }
}
