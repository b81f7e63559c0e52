using Edge.Domain.Audio;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Audio;

public sealed class WaveformEncoderTests
{
    [Fact]
    public void A_swelling_word_in_silence_becomes_a_rising_envelope_in_range()
    {
        // 0.3 s of silence, a 0.6 s tone whose amplitude rises linearly, 0.3 s of silence.
        var samples = new float[9600];
        for (var n = 0; n < 4800; n++)
        {
            samples[2400 + n] = (float)((0.1 + (0.9 * n / 4800.0)) * Math.Sin(2 * Math.PI * 440 * n / 8000));
        }

        var drive = new float[12];
        WaveformEncoder.Encode(samples, 8000, drive);

        Assert.Equal(1f, drive.Max(), 1e-6f);
        Assert.All(drive, v => Assert.InRange(v, -1f, 1f));
        for (var s = 1; s < drive.Length; s++)
        {
            Assert.True(drive[s] > drive[s - 1],
                $"segment {s}: {drive[s]} after {drive[s - 1]} — the silence was not trimmed or the envelope is wrong");
        }

        // Without trimming the first segment would be silence (-1); trimmed it holds the quiet start of the tone.
        Assert.True(drive[0] > -0.9f, $"first segment {drive[0]}");
    }

    [Fact]
    public void Too_short_audio_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => WaveformEncoder.Encode(new float[500], 8000, new float[12]));
        Assert.Contains("too short to fill 12 drive segments", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fsdd_waveform_encoding_gives_one_drive_per_recording()
    {
        var data = FsddDataset.LoadWaveform(12, maxIndex: 5);
        Assert.Equal(12, data.FeatureCount);
        Assert.Equal(300, data.Recordings.Count);
        Assert.All(data.Recordings, r => Assert.All(r.Features, v => Assert.InRange(v, -1f, 1f)));
    }
}
