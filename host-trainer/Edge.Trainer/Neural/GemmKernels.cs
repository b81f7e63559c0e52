using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Trainer.Neural;

/// <summary>
/// MR×NR (6×16) micro-kernels: C tile (+)= packed A panel · packed B panel over depth kc.
/// The FMA kernel keeps the whole tile in 12 ymm accumulators; the portable one uses <c>Vector&lt;T&gt;</c>.
/// </summary>
internal static class GemmKernels
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>Dispatches to the FMA kernel, or to the portable kernel when asked to (or when FMA is
    /// absent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(bool portable, int kc, ref float a, ref float b, ref float c, int ldc, bool accumulate)
    {
        if (!portable && Fma.IsSupported)
        {
            Fma6x16(kc, ref a, ref b, ref c, ldc, accumulate);
        }
        else
        {
            Portable(kc, ref a, ref b, ref c, ldc, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fma6x16(int kc, ref float a, ref float b, ref float c, int ldc, bool accumulate)
    {
        var c00 = Vector256<float>.Zero;
        var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero;
        var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero;
        var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero;
        var c31 = Vector256<float>.Zero;
        var c40 = Vector256<float>.Zero;
        var c41 = Vector256<float>.Zero;
        var c50 = Vector256<float>.Zero;
        var c51 = Vector256<float>.Zero;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 8);
            var s = Vector256.Create(a);
            c00 = Fma.MultiplyAdd(s, b0, c00);
            c01 = Fma.MultiplyAdd(s, b1, c01);
            s = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Fma.MultiplyAdd(s, b0, c10);
            c11 = Fma.MultiplyAdd(s, b1, c11);
            s = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Fma.MultiplyAdd(s, b0, c20);
            c21 = Fma.MultiplyAdd(s, b1, c21);
            s = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Fma.MultiplyAdd(s, b0, c30);
            c31 = Fma.MultiplyAdd(s, b1, c31);
            s = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = Fma.MultiplyAdd(s, b0, c40);
            c41 = Fma.MultiplyAdd(s, b1, c41);
            s = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = Fma.MultiplyAdd(s, b0, c50);
            c51 = Fma.MultiplyAdd(s, b1, c51);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, NR);
        }

        StoreRow(ref c, c00, c01, accumulate);
        StoreRow(ref Unsafe.Add(ref c, ldc), c10, c11, accumulate);
        StoreRow(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, accumulate);
        StoreRow(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, accumulate);
        StoreRow(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, accumulate);
        StoreRow(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref float row, Vector256<float> left, Vector256<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector256.LoadUnsafe(ref row);
            right += Vector256.LoadUnsafe(ref row, 8);
        }

        left.StoreUnsafe(ref row);
        right.StoreUnsafe(ref row, 8);
    }

    private static void Portable(int kc, ref float a, ref float b, ref float c, int ldc, bool accumulate)
    {
        // NR is a multiple of every Vector<float>.Count in use (4, 8, 16).
        var width = Vector<float>.Count;
        for (var r = 0; r < MR; r++)
        {
            ref var row = ref Unsafe.Add(ref c, r * ldc);
            for (var j = 0; j < NR; j += width)
            {
                var sum = Vector<float>.Zero;
                for (var p = 0; p < kc; p++)
                {
                    sum += new Vector<float>(Unsafe.Add(ref a, (p * MR) + r))
                        * Vector.LoadUnsafe(ref b, (nuint)((p * NR) + j));
                }

                ref var destination = ref Unsafe.Add(ref row, j);
                if (accumulate)
                {
                    sum += Vector.LoadUnsafe(ref destination);
                }

                sum.StoreUnsafe(ref destination);
            }
        }
    }
}
