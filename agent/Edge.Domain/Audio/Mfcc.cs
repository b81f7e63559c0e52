namespace Edge.Domain.Audio;

/// <summary>Mel-frequency cepstral coefficients: the orthonormal DCT-II of log-mel energies.</summary>
public static class Mfcc
{
    /// <summary>Row-major <paramref name="coefficients"/> × <paramref name="bands"/> orthonormal DCT-II
    /// matrix.</summary>
    public static float[] DctMatrix(int bands, int coefficients)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(coefficients, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(coefficients, bands);
        var matrix = new float[coefficients * bands];
        for (var k = 0; k < coefficients; k++)
        {
            var scale = Math.Sqrt((k == 0 ? 1.0 : 2.0) / bands);
            for (var b = 0; b < bands; b++)
            {
                matrix[(k * bands) + b] = (float)(scale * Math.Cos(Math.PI * k * (b + 0.5) / bands));
            }
        }

        return matrix;
    }

    /// <summary>Cepstrum of one frame of log-mel energies.</summary>
    public static void Apply(ReadOnlySpan<float> dct, ReadOnlySpan<float> logMel, Span<float> cepstrum)
    {
        var bands = logMel.Length;
        if (dct.Length != cepstrum.Length * bands)
        {
            throw new
                ArgumentException($"DCT matrix of {dct.Length} values does not map {bands} bands to {cepstrum.Length} "
                    + "coefficients.");
        }

        for (var k = 0; k < cepstrum.Length; k++)
        {
            var row = dct.Slice(k * bands, bands);
            var sum = 0f;
            for (var b = 0; b < bands; b++)
            {
                sum += row[b] * logMel[b];
            }

            cepstrum[k] = sum;
        }
    }
}
