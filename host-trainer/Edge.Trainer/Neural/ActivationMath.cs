using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Trainer.Neural;

/// <summary>Vectorised element-wise passes around the GEMMs: bias, SiLU and its derivative, bias gradients.</summary>
internal static class ActivationMath
{
    /// <summary>Adds <paramref name="bias"/> to each of <paramref name="rows"/> rows of <paramref
    /// name="values"/>.</summary>
    public static void AddBias(Span<float> values, ReadOnlySpan<float> bias, int rows)
    {
        var width = bias.Length;
        for (var r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            var j = 0;
            for (; j <= width - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                (Vector256.Create(row[j..]) + Vector256.Create(bias[j..])).CopyTo(row[j..]);
            }

            for (; j < width; j++)
            {
                row[j] += bias[j];
            }
        }
    }

    /// <summary>
    /// In place z ← silu(z + bias) = (z + bias)·σ(z + bias) for each row; σ is written to <paramref name="sigmoid"/>
    /// unless it is empty (the backward pass needs only the activation and σ: silu' = σ + a·(1 − σ)).
    /// </summary>
    public static void AddBiasSilu(Span<float> values, ReadOnlySpan<float> bias, int rows, Span<float> sigmoid)
    {
        var width = bias.Length;
        var keepSigmoid = !sigmoid.IsEmpty;
        ref var biasRef = ref MemoryMarshal.GetReference(bias);
        for (var r = 0; r < rows; r++)
        {
            ref var row = ref MemoryMarshal.GetReference(values.Slice(r * width, width));
            ref var sigmoidRow = ref keepSigmoid ? ref MemoryMarshal.GetReference(sigmoid.Slice(r * width, width))
                : ref row;
            var j = 0;
            for (; j <= width - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var z = Vector256.LoadUnsafe(ref row, (nuint)j) + Vector256.LoadUnsafe(ref biasRef, (nuint)j);
                var s = Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-z));
                (z * s).StoreUnsafe(ref row, (nuint)j);
                if (keepSigmoid)
                {
                    s.StoreUnsafe(ref sigmoidRow, (nuint)j);
                }
            }

            for (; j < width; j++)
            {
                var z = Unsafe.Add(ref row, j) + Unsafe.Add(ref biasRef, j);
                var s = 1f / (1f + MathF.Exp(-z));
                Unsafe.Add(ref row, j) = z * s;
                if (keepSigmoid)
                {
                    Unsafe.Add(ref sigmoidRow, j) = s;
                }
            }
        }
    }

    /// <summary>In place g ← g·silu'(z), with silu'(z) = σ + a·(1 − σ) from the stored activation a and σ.</summary>
    public static void MultiplySiluDerivative(Span<float> gradient, ReadOnlySpan<float> activation, ReadOnlySpan<float>
        sigmoid)
    {
        var count = gradient.Length;
        ref var g = ref MemoryMarshal.GetReference(gradient);
        ref var a = ref MemoryMarshal.GetReference(activation[..count]);
        ref var s = ref MemoryMarshal.GetReference(sigmoid[..count]);
        var j = 0;
        for (; j <= count - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            var sv = Vector256.LoadUnsafe(ref s, (nuint)j);
            var derivative = sv + (Vector256.LoadUnsafe(ref a, (nuint)j) * (Vector256<float>.One - sv));
            (Vector256.LoadUnsafe(ref g, (nuint)j) * derivative).StoreUnsafe(ref g, (nuint)j);
        }

        for (; j < count; j++)
        {
            var sj = Unsafe.Add(ref s, j);
            Unsafe.Add(ref g, j) *= sj + (Unsafe.Add(ref a, j) * (1f - sj));
        }
    }

    /// <summary>Adds the column sums of the <paramref name="rows"/>×width matrix <paramref name="gradient"/> into
    /// <paramref name="biasGradient"/>.</summary>
    public static void AccumulateColumnSums(ReadOnlySpan<float> gradient, int rows, Span<float> biasGradient)
    {
        var width = biasGradient.Length;
        for (var r = 0; r < rows; r++)
        {
            var row = gradient.Slice(r * width, width);
            var j = 0;
            for (; j <= width - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                (Vector256.Create(biasGradient[j..]) + Vector256.Create(row[j..])).CopyTo(biasGradient[j..]);
            }

            for (; j < width; j++)
            {
                biasGradient[j] += row[j];
            }
        }
    }
}
