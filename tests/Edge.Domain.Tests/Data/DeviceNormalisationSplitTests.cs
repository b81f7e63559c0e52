using Edge.Domain.Audio;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Data;

/// <summary>FSDD splits whose test speakers are standardised as the agent's running device statistics do it.</summary>
public sealed class DeviceNormalisationSplitTests
{
    private static readonly Lazy<FsddDataset> Data = new(() => FsddDataset.Load(maxIndex: 9));

    [Fact]
    public void A_held_out_speaker_passes_through_running_statistics_and_training_speakers_through_their_own()
    {
        var data = Data.Value;
        var device = data.LeaveOutDeviceNormalised("theo", window: 100, warmUp: 10, seed: 1);
        var speaker = data.LeaveOutSpeakerNormalised("theo");

        Assert.Equal(speaker.Train.Features, device.Train.Features);
        var test = data.Recordings.Where(r => r.Speaker == "theo").ToList();
        Assert.Equal(test.Select(r => r.Digit), device.Test.Labels);

        // Replaying the device by hand in the seeded order gives exactly the split's rows.
        var train = data.Recordings.Where(r => r.Speaker != "theo").ToList();
        var width = data.FeatureCount;
        var mean = new float[width];
        var scale = new float[width];
        for (var f = 0; f < width; f++)
        {
            var average = train.Average(r => (double)r.Features[f]);
            mean[f] = (float)average;
            scale[f] = (float)Math.Sqrt(train.Average(r => Math.Pow(r.Features[f] - average, 2)) + 1e-12);
        }

        var statistics = new DeviceFeatureStatistics(mean, scale, 100, 10);
        var order = Enumerable.Range(0, test.Count).ToArray();
        new Random(1).Shuffle(order);
        foreach (var i in order)
        {
            var row = (float[])test[i].Features.Clone();
            statistics.Observe(row);
            statistics.Standardise(row);
            var expected = device.Test.Row(i);
            for (var f = 0; f < width; f++)
            {
                Assert.True(Math.Abs(row[f] - expected[f]) < 1e-3 * (1 + Math.Abs(row[f])), $"word {i} feature {f}");
            }
        }

        // Unlike per-speaker standardisation, it never looked at later words: the first word it heard differs.
        Assert.NotEqual(speaker.Test.Row(order[0]).ToArray(), device.Test.Row(order[0]).ToArray());
    }
}
