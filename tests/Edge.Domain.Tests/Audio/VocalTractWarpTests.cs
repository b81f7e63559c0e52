using Edge.Domain.Audio;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Audio;

public sealed class VocalTractWarpTests
{
    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void The_warp_scales_low_frequencies_keeps_nyquist_and_never_folds(double warp)
    {
        Assert.Equal(1000 * warp, MelFilterbank.WarpHz(1000, warp, 4000), 1e-9);
        Assert.Equal(4000, MelFilterbank.WarpHz(4000, warp, 4000), 1e-9);
        var previous = -1.0;
        for (var hz = 0.0; hz <= 4000; hz += 10)
        {
            var warped = MelFilterbank.WarpHz(hz, warp, 4000);
            Assert.True(warped > previous && warped <= 4000 + 1e-9, $"{hz} Hz → {warped} Hz after {previous} Hz");
            previous = warped;
        }
    }

    [Fact]
    public void A_warp_of_one_builds_exactly_the_unwarped_bank_and_others_move_the_centres()
    {
        var plain = new MelFilterbank(26, 256, 8000, 60, 3800);
        var one = new MelFilterbank(26, 256, 8000, 60, 3800, warp: 1);
        var up = new MelFilterbank(26, 256, 8000, 60, 3800, warp: 1.1);

        for (var band = 0; band < 26; band++)
        {
            Assert.Equal(plain.CentresHz[band], one.CentresHz[band]);
            Assert.True(up.CentresHz[band] > plain.CentresHz[band], $"band {band}");
            for (var bin = 0; bin <= 128; bin++)
            {
                Assert.Equal(plain.Weight(band, bin), one.Weight(band, bin));
            }
        }

        Assert.Equal(plain.CentresHz[3] * 1.1, up.CentresHz[3], 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelFilterbank(26, 256, 8000, 60, 3800, warp: 3));
    }

    [Fact]
    public void A_warped_copy_is_the_same_recordings_re_encoded_the_same_way_every_time()
    {
        var data = FsddDataset.Load(maxIndex: 1);
        var folder = Path.GetDirectoryName(DataPaths.File("fsdd", "manifest.csv"))!;
        var options = new AudioFeatureOptions();

        var first = FsddDataset.WarpedCopy(data.Recordings, folder, options, 0.1, copy: 0);
        var again = FsddDataset.WarpedCopy(data.Recordings, folder, options, 0.1, copy: 0);
        var second = FsddDataset.WarpedCopy(data.Recordings, folder, options, 0.1, copy: 1, speakerSuffix: "~v");

        Assert.Equal(data.Recordings.Select(r => (r.File, r.Digit, r.Speaker)), first.Select(r => (r.File, r.Digit,
            r.Speaker)));
        Assert.Equal(first.Select(r => r.Features), again.Select(r => r.Features));
        Assert.All(second, r => Assert.EndsWith("~v", r.Speaker, StringComparison.Ordinal));
        Assert.True(data.Recordings.Zip(first).Count(p => !p.First.Features.SequenceEqual(p.Second.Features))
            > data.Recordings.Count * 9 / 10);
        var augmented = data.WithPerturbedCopies(first);
        Assert.Equal(data.Recordings.Count, augmented.SpeedPerturbed.Count);
        var loso = augmented.LeaveOut("theo");
        Assert.Equal(data.LeaveOut("theo").Test.Count, loso.Test.Count);
        Assert.Equal(2 * data.LeaveOut("theo").Train.Count, loso.Train.Count);
        Assert.Throws<ArgumentException>(() => data.WithPerturbedCopies(first.Skip(1).ToList()));
    }
}
