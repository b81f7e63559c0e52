using Edge.Domain.Audio;
using FsCheck.Xunit;

namespace Edge.Domain.Tests.Audio;

public sealed class SpectralTests
{
    [Property(MaxTest = 40)]
    public void Fft_matches_a_naive_dft(ulong seed)
    {
        var random = new Random((int)(seed % int.MaxValue));
        var size = 1 << random.Next(1, 10);
        var real = new float[size];
        var imaginary = new float[size];
        for (var i = 0; i < size; i++)
        {
            real[i] = (float)((random.NextDouble() * 2) - 1);
            imaginary[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var (expectedReal, expectedImaginary) = NaiveDft(real, imaginary);
        new Fft(size).Forward(real, imaginary);

        for (var k = 0; k < size; k++)
        {
            Assert.Equal(expectedReal[k], real[k], 1e-3 * Math.Sqrt(size));
            Assert.Equal(expectedImaginary[k], imaginary[k], 1e-3 * Math.Sqrt(size));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(100)]
    public void Fft_rejects_sizes_that_are_not_powers_of_two(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fft(size));
    }

    [Theory]
    [InlineData(26, 256, 8000, 60, 3800)]
    [InlineData(40, 512, 16000, 0, 8000)]
    public void Mel_filters_sum_to_one_between_the_first_and_last_centre(int bands, int fftSize, int rate, double low,
        double high)
    {
        var mel = new MelFilterbank(bands, fftSize, rate, low, high);
        var checkedBins = 0;
        for (var bin = 0; bin <= fftSize / 2; bin++)
        {
            var hz = (double)bin * rate / fftSize;
            var sum = 0.0;
            for (var band = 0; band < bands; band++)
            {
                sum += mel.Weight(band, bin);
            }

            if (hz >= mel.CentresHz[0] && hz <= mel.CentresHz[^1])
            {
                Assert.Equal(1.0, sum, 1e-5);
                checkedBins++;
            }
            else if (hz < low || hz > high)
            {
                Assert.Equal(0.0, sum);
            }
        }

        Assert.True(checkedBins > fftSize / 4, $"only {checkedBins} bins lie between the centres");
    }

    [Fact]
    public void Mel_scale_round_trips_and_rejects_ranges_above_nyquist()
    {
        Assert.Equal(1000.0, MelFilterbank.MelToHz(MelFilterbank.HzToMel(1000.0)), 1e-9);
        Assert.Contains("Nyquist (4000 Hz)", Assert.Throws<ArgumentException>(()
            => new MelFilterbank(10, 256, 8000, 0, 5000)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dct_matrix_is_orthonormal_and_a_flat_spectrum_has_only_c0()
    {
        const int Bands = 20;
        var dct = Mfcc.DctMatrix(Bands, Bands);
        for (var a = 0; a < Bands; a++)
        {
            for (var b = 0; b < Bands; b++)
            {
                var dot = 0.0;
                for (var i = 0; i < Bands; i++)
                {
                    dot += dct[(a * Bands) + i] * dct[(b * Bands) + i];
                }

                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
            }
        }

        var cepstrum = new float[Bands];
        Mfcc.Apply(dct, Enumerable.Repeat(2f, Bands).ToArray(), cepstrum);
        Assert.Equal(2 * Math.Sqrt(Bands), cepstrum[0], 1e-4);
        Assert.All(cepstrum[1..], c => Assert.Equal(0, c, 1e-4));
    }

    private static (double[] Real, double[] Imaginary) NaiveDft(float[] real, float[] imaginary)
    {
        var n = real.Length;
        var outReal = new double[n];
        var outImaginary = new double[n];
        for (var k = 0; k < n; k++)
        {
            for (var t = 0; t < n; t++)
            {
                var angle = -2 * Math.PI * k * t / n;
                outReal[k] += (real[t] * Math.Cos(angle)) - (imaginary[t] * Math.Sin(angle));
                outImaginary[k] += (real[t] * Math.Sin(angle)) + (imaginary[t] * Math.Cos(angle));
            }
        }

        return (outReal, outImaginary);
    }
}
