namespace Edge.Domain.Audio;

/// <summary>
/// In-place iterative radix-2 complex FFT of one power-of-two size with precomputed twiddles and bit reversal, so a
/// transform allocates nothing.
/// </summary>
public sealed class Fft
{
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly int[] _reversed;

    /// <summary>Prepares transforms of <paramref name="size"/> points (a power of two ≥ 2).</summary>
    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two of at least 2.");
        }

        Size = size;
        _cos = new float[size / 2];
        _sin = new float[size / 2];
        for (var k = 0; k < size / 2; k++)
        {
            var angle = -2.0 * Math.PI * k / size;
            _cos[k] = (float)Math.Cos(angle);
            _sin[k] = (float)Math.Sin(angle);
        }

        _reversed = new int[size];
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        for (var i = 0; i < size; i++)
        {
            _reversed[i] = (int)(ReverseBits((uint)i) >> (32 - bits));
        }
    }

    /// <summary>Points per transform.</summary>
    public int Size { get; }

    /// <summary>Forward transform X[k] = Σ x[n]·e^(−2πikn/N), in place on the real and imaginary parts.</summary>
    public void Forward(Span<float> real, Span<float> imaginary)
    {
        if (real.Length != Size || imaginary.Length != Size)
        {
            throw new
                ArgumentException($"FFT of size {Size} needs {Size} real and imaginary values, got {real.Length} and "
                    + $"{imaginary.Length}.");
        }

        for (var i = 0; i < Size; i++)
        {
            var j = _reversed[i];
            if (j > i)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imaginary[i], imaginary[j]) = (imaginary[j], imaginary[i]);
            }
        }

        for (var length = 2; length <= Size; length <<= 1)
        {
            var half = length >> 1;
            var stride = Size / length;
            for (var start = 0; start < Size; start += length)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * stride];
                    var wi = _sin[k * stride];
                    var a = start + k;
                    var b = a + half;
                    var tr = (real[b] * wr) - (imaginary[b] * wi);
                    var ti = (real[b] * wi) + (imaginary[b] * wr);
                    real[b] = real[a] - tr;
                    imaginary[b] = imaginary[a] - ti;
                    real[a] += tr;
                    imaginary[a] += ti;
                }
            }
        }
    }

    /// <summary>Power spectrum |X[k]|² for k = 0..N/2 of a real frame of at most N samples; the scratch spans hold N
    /// values each.</summary>
    public void PowerSpectrum(ReadOnlySpan<float> frame, Span<float> power, Span<float> scratchReal, Span<float>
        scratchImaginary)
    {
        frame.CopyTo(scratchReal);
        scratchReal[frame.Length..].Clear();
        scratchImaginary.Clear();
        Forward(scratchReal, scratchImaginary);
        for (var k = 0; k <= Size / 2; k++)
        {
            power[k] = (scratchReal[k] * scratchReal[k]) + (scratchImaginary[k] * scratchImaginary[k]);
        }
    }

    private static uint ReverseBits(uint value)
    {
        value = ((value >> 1) & 0x55555555u) | ((value & 0x55555555u) << 1);
        value = ((value >> 2) & 0x33333333u) | ((value & 0x33333333u) << 2);
        value = ((value >> 4) & 0x0F0F0F0Fu) | ((value & 0x0F0F0F0Fu) << 4);
        value = ((value >> 8) & 0x00FF00FFu) | ((value & 0x00FF00FFu) << 8);
        return (value >> 16) | (value << 16);
    }
}
