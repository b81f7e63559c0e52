using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Trainer.Neural;

/// <summary>
/// Copies K-blocks of the GEMM operands into the panel layouts the micro-kernel reads: A as MR-row panels
/// (for each k, MR consecutive rows), B as NR-column panels (for each k, NR consecutive columns), zero-padded at edges
/// so the kernel never needs bounds checks. Callers have validated the extents.
/// </summary>
internal static class GemmPacking
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>Packs rows [ic, ic+mc) × depth [pc, pc+kc) of op(A).</summary>
    public static void PackA(bool transposeA, ref float a, int lda, int ic, int pc, int mc, int kc, ref float packed)
    {
        for (var ir = 0; ir < mc; ir += MR)
        {
            var rows = Math.Min(MR, mc - ir);
            ref var panel = ref Unsafe.Add(ref packed, ir * kc);
            if (transposeA)
            {
                // A is stored [k, m]: each depth step is a contiguous run of rows.
                ref var source = ref Unsafe.Add(ref a, (pc * lda) + ic + ir);
                for (var p = 0; p < kc; p++)
                {
                    ref var from = ref Unsafe.Add(ref source, p * lda);
                    ref var to = ref Unsafe.Add(ref panel, p * MR);
                    if (rows == MR)
                    {
                        to = from;
                        Unsafe.Add(ref to, 1) = Unsafe.Add(ref from, 1);
                        Unsafe.Add(ref to, 2) = Unsafe.Add(ref from, 2);
                        Unsafe.Add(ref to, 3) = Unsafe.Add(ref from, 3);
                        Unsafe.Add(ref to, 4) = Unsafe.Add(ref from, 4);
                        Unsafe.Add(ref to, 5) = Unsafe.Add(ref from, 5);
                        continue;
                    }

                    for (var r = 0; r < MR; r++)
                    {
                        Unsafe.Add(ref to, r) = r < rows ? Unsafe.Add(ref from, r) : 0f;
                    }
                }
            }
            else if (rows == MR)
            {
                // A is stored [m, k]: walk the six rows together so the panel is written sequentially.
                ref var row0 = ref Unsafe.Add(ref a, ((ic + ir) * lda) + pc);
                ref var row1 = ref Unsafe.Add(ref row0, lda);
                ref var row2 = ref Unsafe.Add(ref row1, lda);
                ref var row3 = ref Unsafe.Add(ref row2, lda);
                ref var row4 = ref Unsafe.Add(ref row3, lda);
                ref var row5 = ref Unsafe.Add(ref row4, lda);
                for (var p = 0; p < kc; p++)
                {
                    ref var to = ref Unsafe.Add(ref panel, p * MR);
                    to = Unsafe.Add(ref row0, p);
                    Unsafe.Add(ref to, 1) = Unsafe.Add(ref row1, p);
                    Unsafe.Add(ref to, 2) = Unsafe.Add(ref row2, p);
                    Unsafe.Add(ref to, 3) = Unsafe.Add(ref row3, p);
                    Unsafe.Add(ref to, 4) = Unsafe.Add(ref row4, p);
                    Unsafe.Add(ref to, 5) = Unsafe.Add(ref row5, p);
                }
            }
            else
            {
                for (var r = 0; r < MR; r++)
                {
                    ref var from = ref Unsafe.Add(ref a, ((ic + ir + Math.Min(r, rows - 1)) * lda) + pc);
                    ref var to = ref Unsafe.Add(ref panel, r);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref to, p * MR) = r < rows ? Unsafe.Add(ref from, p) : 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs depth [pc, pc+kc) × columns [jc, jc+nc) of op(B).</summary>
    public static void PackB(bool transposeB, ref float b, int ldb, int pc, int jc, int kc, int nc, ref float packed)
    {
        for (var jr = 0; jr < nc; jr += NR)
        {
            var columns = Math.Min(NR, nc - jr);
            ref var panel = ref Unsafe.Add(ref packed, jr * kc);
            if (transposeB)
            {
                PackTransposedPanel(ref Unsafe.Add(ref b, ((jc + jr) * ldb) + pc), ldb, kc, columns, ref panel);
            }
            else if (columns == NR)
            {
                // B is stored [k, n]: each depth step is 16 contiguous columns.
                ref var source = ref Unsafe.Add(ref b, (pc * ldb) + jc + jr);
                for (var p = 0; p < kc; p++)
                {
                    ref var from = ref Unsafe.Add(ref source, p * ldb);
                    ref var to = ref Unsafe.Add(ref panel, p * NR);
                    Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref from), ref to);
                    Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref from, 8), ref to, 8);
                }
            }
            else
            {
                ref var source = ref Unsafe.Add(ref b, (pc * ldb) + jc + jr);
                for (var p = 0; p < kc; p++)
                {
                    ref var from = ref Unsafe.Add(ref source, p * ldb);
                    ref var to = ref Unsafe.Add(ref panel, p * NR);
                    for (var j = 0; j < columns; j++)
                    {
                        Unsafe.Add(ref to, j) = Unsafe.Add(ref from, j);
                    }

                    for (var j = columns; j < NR; j++)
                    {
                        Unsafe.Add(ref to, j) = 0f;
                    }
                }
            }
        }
    }

    // B is stored [n, k] (a weight matrix used as Wᵀ): column j of op(B) is row j of storage.
    private static void PackTransposedPanel(ref float source, int ldb, int kc, int columns, ref float panel)
    {
        var p = 0;
        if (columns == NR && Avx.IsSupported)
        {
            // 8×8 register transposes turn eight storage rows × eight depths into eight panel rows.
            for (; p + 8 <= kc; p += 8)
            {
                TransposeBlock(ref Unsafe.Add(ref source, p), ldb, ref Unsafe.Add(ref panel, p * NR));
                TransposeBlock(ref Unsafe.Add(ref source, (8 * ldb) + p), ldb, ref Unsafe.Add(ref panel, (p * NR) + 8));
            }
        }

        for (; p < kc; p++)
        {
            ref var to = ref Unsafe.Add(ref panel, p * NR);
            for (var j = 0; j < NR; j++)
            {
                Unsafe.Add(ref to, j) = j < columns ? Unsafe.Add(ref source, (j * ldb) + p) : 0f;
            }
        }
    }

    private static void TransposeBlock(ref float source, int ldb, ref float destination)
    {
        var r0 = Vector256.LoadUnsafe(ref source);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, ldb));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 2 * ldb));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 3 * ldb));
        var r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 4 * ldb));
        var r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 5 * ldb));
        var r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 6 * ldb));
        var r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 7 * ldb));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref destination);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref destination, NR);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref destination, 2 * NR);
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref destination, 3 * NR);
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref destination, 4 * NR);
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref destination, 5 * NR);
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref destination, 6 * NR);
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref destination, 7 * NR);
    }
}
