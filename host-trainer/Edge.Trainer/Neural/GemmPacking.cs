using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
                    for (var r = 0; r < rows; r++)
                    {
                        Unsafe.Add(ref to, r) = Unsafe.Add(ref from, r);
                    }

                    for (var r = rows; r < MR; r++)
                    {
                        Unsafe.Add(ref to, r) = 0f;
                    }
                }
            }
            else
            {
                // A is stored [m, k]: each row is contiguous in depth, written with stride MR.
                for (var r = 0; r < rows; r++)
                {
                    ref var from = ref Unsafe.Add(ref a, ((ic + ir + r) * lda) + pc);
                    ref var to = ref Unsafe.Add(ref panel, r);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref to, p * MR) = Unsafe.Add(ref from, p);
                    }
                }

                for (var r = rows; r < MR; r++)
                {
                    ref var to = ref Unsafe.Add(ref panel, r);
                    for (var p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref to, p * MR) = 0f;
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
        for (var j = 0; j < columns; j++)
        {
            ref var from = ref Unsafe.Add(ref source, j * ldb);
            ref var to = ref Unsafe.Add(ref panel, j);
            for (var p = 0; p < kc; p++)
            {
                Unsafe.Add(ref to, p * NR) = Unsafe.Add(ref from, p);
            }
        }

        for (var j = columns; j < NR; j++)
        {
            ref var to = ref Unsafe.Add(ref panel, j);
            for (var p = 0; p < kc; p++)
            {
                Unsafe.Add(ref to, p * NR) = 0f;
            }
        }
    }
}
