using System.Numerics;

namespace Edge.Domain.Simulation.Optical;

/// <summary>
/// The χ(2) sum-frequency sum E₂(Ω_m) = Σ_{k+l=m} E_k E_l over ordered pairs, restricted to the SH samples the
/// spectrometer sees, and its adjoint. Complex values are kept as separate real and imaginary spans so the inner
/// products vectorise.
/// </summary>
public static class SpectralConvolution
{
    /// <summary>
    /// Writes E₂ for the SH samples <paramref name="firstSample"/> … + <paramref name="secondHarmonicRe"/>.Length − 1.
    /// <paramref name="reversedRe"/>/<paramref name="reversedIm"/> are scratch of the field's length.
    /// </summary>
    public static void SumFrequency(
        ReadOnlySpan<double> fieldRe,
        ReadOnlySpan<double> fieldIm,
        Span<double> reversedRe,
        Span<double> reversedIm,
        int firstSample,
        Span<double> secondHarmonicRe,
        Span<double> secondHarmonicIm)
    {
        var n = fieldRe.Length;
        for (var k = 0; k < n; k++)
        {
            reversedRe[n - 1 - k] = fieldRe[k];
            reversedIm[n - 1 - k] = fieldIm[k];
        }

        for (var w = 0; w < secondHarmonicRe.Length; w++)
        {
            // The ordered pairs (k, m−k) and (m−k, k) give the same product, so sum k < m − k once and double it;
            // E_{m−k} = reversed[n − 1 − m + k] rises with k as well, so the half sum is a plain inner product.
            var m = firstSample + w;
            var kLo = Math.Max(0, m - n + 1);
            var length = ((m + 1) / 2) - kLo;
            var j0 = n - 1 - m + kLo;
            var (rr, ii, ri, ir) = Products(
                fieldRe.Slice(kLo, length), fieldIm.Slice(kLo, length), reversedRe.Slice(j0, length),
                    reversedIm.Slice(j0, length));
            var re = 2 * (rr - ii);
            var im = 2 * (ri + ir);
            if (m % 2 == 0)
            {
                var (middleRe, middleIm) = (fieldRe[m / 2], fieldIm[m / 2]);
                re += (middleRe * middleRe) - (middleIm * middleIm);
                im += 2 * middleRe * middleIm;
            }

            secondHarmonicRe[w] = re;
            secondHarmonicIm[w] = im;
        }
    }

    /// <summary>
    /// Adjoint of <see cref="SumFrequency"/>: given Ē₂ on every SH sample (zero outside the window,
    /// length 2N − 1), writes Ē_k = Σ_m conj(∂E₂_m/∂E_k)·Ē₂_m = 2 Σ_l conj(E_l)·Ē₂_{k+l}.
    /// </summary>
    public static void SumFrequencyAdjoint(
        ReadOnlySpan<double> fieldRe,
        ReadOnlySpan<double> fieldIm,
        ReadOnlySpan<double> secondHarmonicGradientRe,
        ReadOnlySpan<double> secondHarmonicGradientIm,
        Span<double> fieldGradientRe,
        Span<double> fieldGradientIm)
    {
        var n = fieldRe.Length;
        for (var k = 0; k < n; k++)
        {
            var (rr, ii, ri, ir) = Products(fieldRe, fieldIm, secondHarmonicGradientRe.Slice(k, n),
                secondHarmonicGradientIm.Slice(k, n));
            fieldGradientRe[k] = 2.0 * (rr + ii);
            fieldGradientIm[k] = 2.0 * (ri - ir);
        }
    }

    /// <summary>The four real inner products Σaᵣbᵣ, Σaᵢbᵢ, Σaᵣbᵢ, Σaᵢbᵣ of two complex vectors.</summary>
    private static (double RR, double II, double RI, double IR) Products(
        ReadOnlySpan<double> aRe, ReadOnlySpan<double> aIm, ReadOnlySpan<double> bRe, ReadOnlySpan<double> bIm)
    {
        var length = aRe.Length;
        var width = Vector<double>.Count;
        var rr = Vector<double>.Zero;
        var ii = Vector<double>.Zero;
        var ri = Vector<double>.Zero;
        var ir = Vector<double>.Zero;
        var i = 0;
        for (; i <= length - width; i += width)
        {
            var ar = new Vector<double>(aRe[i..]);
            var ai = new Vector<double>(aIm[i..]);
            var br = new Vector<double>(bRe[i..]);
            var bi = new Vector<double>(bIm[i..]);
            rr += ar * br;
            ii += ai * bi;
            ri += ar * bi;
            ir += ai * br;
        }

        var (sRR, sII, sRI, sIR) = (Vector.Sum(rr), Vector.Sum(ii), Vector.Sum(ri), Vector.Sum(ir));
        for (; i < length; i++)
        {
            sRR += aRe[i] * bRe[i];
            sII += aIm[i] * bIm[i];
            sRI += aRe[i] * bIm[i];
            sIR += aIm[i] * bRe[i];
        }

        return (sRR, sII, sRI, sIR);
    }
}
