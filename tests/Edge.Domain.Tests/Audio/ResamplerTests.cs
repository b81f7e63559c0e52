using Edge.Domain.Audio;

namespace Edge.Domain.Tests.Audio;

public sealed class ResamplerTests
{
    [Theory]
    [InlineData(48000, 16000, 3000)]
    [InlineData(44100, 8000, 2500)]
    [InlineData(8000, 16000, 3000)]
    [InlineData(22050, 8000, 1000)]
    public void Tone_in_band_passes_with_its_amplitude_and_frequency(int from, int to, double hz)
    {
        var output = Resampler.Resample(Tone(from, hz, 0.5), from, to);

        Assert.Equal(Math.Ceiling(0.5 * to), output.Length, 1.0);
        var (amplitude, phaseError) = Fit(output[(to / 20)..^(to / 20)], to, hz, offset: to / 20);
        Assert.InRange(amplitude, 0.98, 1.02);
        Assert.True(phaseError < 0.02, $"residual {phaseError}");
    }

    [Theory]
    [InlineData(48000, 16000, 11000)]
    [InlineData(44100, 8000, 6000)]
    [InlineData(16000, 8000, 5200)]
    public void Tone_above_the_target_nyquist_is_attenuated_by_60_db(int from, int to, double hz)
    {
        var output = Resampler.Resample(Tone(from, hz, 0.5), from, to);
        var rms = Math.Sqrt(output[(to / 20)..^(to / 20)].Average(v => (double)v * v));

        Assert.True(rms < 1e-3 * Math.Sqrt(0.5), $"alias of {hz} Hz at {to} Hz has RMS {rms}");
    }

    [Fact]
    public void Streaming_in_odd_blocks_equals_one_call()
    {
        var input = Tone(44100, 440, 0.3);
        var whole = Resampler.Resample(input, 44100, 16000);
        var resampler = new Resampler(44100, 16000);
        var streamed = new List<float>();
        for (var at = 0; at < input.Length; at += 777)
        {
            streamed.AddRange(resampler.Push(input.AsSpan(at, Math.Min(777, input.Length - at))).ToArray());
        }

        streamed.AddRange(resampler.Flush().ToArray());
        Assert.Equal(whole.Length, streamed.Count);
        for (var i = 0; i < whole.Length; i++)
        {
            Assert.Equal(whole[i], streamed[i], 1e-6f);
        }
    }

    private static float[] Tone(int rate, double hz, double seconds)
    {
        var samples = new float[(int)(rate * seconds)];
        for (var n = 0; n < samples.Length; n++)
        {
            samples[n] = (float)Math.Sin(2 * Math.PI * hz * n / rate);
        }

        return samples;
    }

    // Least-squares fit of a sin/cos pair at the known frequency: amplitude and RMS residual.
    private static (double Amplitude, double Residual) Fit(float[] samples, int rate, double hz, int offset)
    {
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var angle = 2 * Math.PI * hz * (i + offset) / rate;
            var (s, c) = (Math.Sin(angle), Math.Cos(angle));
            ss += s * s;
            cc += c * c;
            sc += s * c;
            ys += samples[i] * s;
            yc += samples[i] * c;
        }

        var det = (ss * cc) - (sc * sc);
        var a = ((ys * cc) - (yc * sc)) / det;
        var b = ((yc * ss) - (ys * sc)) / det;
        var residual = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            var angle = 2 * Math.PI * hz * (i + offset) / rate;
            var e = samples[i] - ((a * Math.Sin(angle)) + (b * Math.Cos(angle)));
            residual += e * e;
        }

        return (Math.Sqrt((a * a) + (b * b)), Math.Sqrt(residual / samples.Length));
    }
}
