using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Edge.Trainer.Neural;

/// <summary>
/// Row-major single-precision products C[m,n] (+)= op(A)·op(B) for the MLP. BLIS-style blocking: op(B) is packed into
/// NR-wide column panels and op(A) into MR-tall row panels (both K-blocked) so the register-tiled micro-kernel
/// streams contiguous memory from L1/L2. Packing buffers are per thread and reused: steady-state calls allocate
/// nothing.
/// </summary>
internal static class Gemm
{
    /// <summary>Rows of the micro-tile (6 × 2 ymm accumulators leave registers for two B loads and a
    /// broadcast).</summary>
    internal const int MR = 6;

    /// <summary>Columns of the micro-tile: two Vector256&lt;float&gt;.</summary>
    internal const int NR = 16;

    // KC·NR·4 B = 16 KiB B micro-panel stays in L1; MC·KC·4 B = 96 KiB A block stays in L2.
    private const int KC = 256;
    private const int MC = 96;
    private const int NC = 2048;

    // Below this many multiply-adds, waking another thread costs more than it saves.
    private const long ParallelThreshold = 1L << 22;

    [ThreadStatic]
    private static float[]? t_packedA;

    [ThreadStatic]
    private static float[]? t_packedB;

    /// <summary>True when the AVX2/FMA micro-kernel runs; otherwise the portable <c>Vector&lt;T&gt;</c> kernel
    /// does.</summary>
    internal static bool UsesFma => Fma.IsSupported;

    /// <summary>C[m,n] (+)= A[m,k]·B[n,k]ᵀ (dense, leading dimensions k, k, n).</summary>
    public static void MultiplyByTransposed(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float>
        b, Span<float> c, bool accumulate) =>
        Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate);

    /// <summary>C[m,n] (+)= A[k,m]ᵀ·B[k,n] (dense, leading dimensions m, n, n).</summary>
    public static void MultiplyTransposed(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float>
        c, bool accumulate) =>
        Multiply(true, false, m, n, k, a, m, b, n, c, n, accumulate);

    /// <summary>C[m,n] (+)= A[m,k]·B[k,n] (dense, leading dimensions k, n, n).</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        bool accumulate) =>
        Multiply(false, false, m, n, k, a, k, b, n, c, n, accumulate);

    /// <summary>
    /// General form: C[m,n] (+)= op(A)·op(B), where op(A) is A[m,k] (or A stored [k,m] when <paramref
    /// name="transposeA"/>)
    /// and op(B) is B[k,n] (or B stored [n,k] when <paramref name="transposeB"/>). Overwrites C unless <paramref
    /// name="accumulate"/>.
    /// </summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate) =>
        Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, portableKernel: !UsesFma);

    /// <summary>As the span form, but splits the rows of C over up to <paramref name="maxDegreeOfParallelism"/> threads
    /// when the product is large.</summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate, int maxDegreeOfParallelism)
    {
        var rowPanels = (m + MR - 1) / MR;
        var workers = (long)m * n * k >= ParallelThreshold ? Math.Min(maxDegreeOfParallelism, rowPanels) : 1;
        if (workers <= 1)
        {
            Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }

        Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        MultiplyInParallel(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, (int)workers);
    }

    // Separate from the caller so the closure is only allocated when work is actually split.
    private static void MultiplyInParallel(
        bool transposeA, bool transposeB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate, int workers)
    {
        var rowsPerWorker = (((m + MR - 1) / MR) + workers - 1) / workers * MR;
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
        Parallel.For(0, workers, options, worker =>
        {
            var rowStart = worker * rowsPerWorker;
            if (rowStart >= m)
            {
                return;
            }

            var rows = Math.Min(rowsPerWorker, m - rowStart);
            var aOffset = transposeA ? rowStart : rowStart * lda;
            Multiply(transposeA, transposeB, rows, n, k, a.AsSpan(aOffset), lda, b, ldb, c.AsSpan(rowStart * ldc), ldc,
                accumulate);
        });
    }

    /// <summary>General form with an explicit kernel choice, so tests can exercise the portable kernel on AVX2
    /// machines.</summary>
    internal static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate,
            bool portableKernel)
    {
        Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            return;
        }

        Compute(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, portableKernel);
    }

    private static void Validate(bool transposeA, bool transposeB, int m, int n, int k, int aLength, int lda,
        int bLength, int ldb, int cLength, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, Math.Max(1, transposeA ? m : k));
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, Math.Max(1, transposeB ? k : n));
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, Math.Max(1, n));
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k > 0)
        {
            var aNeeded = transposeA ? ((long)(k - 1) * lda) + m : ((long)(m - 1) * lda) + k;
            var bNeeded = transposeB ? ((long)(n - 1) * ldb) + k : ((long)(k - 1) * ldb) + n;
            if (aLength < aNeeded)
            {
                throw new ArgumentException($"A holds {aLength} floats; the product needs {aNeeded}.", nameof(aLength));
            }

            if (bLength < bNeeded)
            {
                throw new ArgumentException($"B holds {bLength} floats; the product needs {bNeeded}.", nameof(bLength));
            }
        }

        var cNeeded = ((long)(m - 1) * ldc) + n;
        if (cLength < cNeeded)
        {
            throw new ArgumentException($"C holds {cLength} floats; the product needs {cNeeded}.", nameof(cLength));
        }
    }

    private static void Compute(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate,
            bool portable)
    {
        var packedA = Buffer(ref t_packedA, MC * Math.Min(KC, k));
        var packedB = Buffer(ref t_packedB, Math.Min(KC, k) * RoundUp(Math.Min(NC, n), NR));
        Span<float> edgeTile = stackalloc float[MR * NR];
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        ref var packedARef = ref MemoryMarshal.GetArrayDataReference(packedA);
        ref var packedBRef = ref MemoryMarshal.GetArrayDataReference(packedB);
        ref var edgeRef = ref MemoryMarshal.GetReference(edgeTile);

        for (var jc = 0; jc < n; jc += NC)
        {
            var nc = Math.Min(NC, n - jc);
            for (var pc = 0; pc < k; pc += KC)
            {
                var kc = Math.Min(KC, k - pc);
                var accumulateBlock = accumulate || pc > 0;
                GemmPacking.PackB(transposeB, ref bRef, ldb, pc, jc, kc, nc, ref packedBRef);
                for (var ic = 0; ic < m; ic += MC)
                {
                    var mc = Math.Min(MC, m - ic);
                    GemmPacking.PackA(transposeA, ref aRef, lda, ic, pc, mc, kc, ref packedARef);
                    for (var jr = 0; jr < nc; jr += NR)
                    {
                        var columns = Math.Min(NR, nc - jr);
                        ref var bPanel = ref Unsafe.Add(ref packedBRef, jr * kc);
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            var rows = Math.Min(MR, mc - ir);
                            ref var aPanel = ref Unsafe.Add(ref packedARef, ir * kc);
                            ref var cTile = ref Unsafe.Add(ref cRef, ((ic + ir) * ldc) + jc + jr);
                            if (rows == MR && columns == NR)
                            {
                                GemmKernels.Run(portable, kc, ref aPanel, ref bPanel, ref cTile, ldc, accumulateBlock);
                            }
                            else
                            {
                                GemmKernels.Run(portable, kc, ref aPanel, ref bPanel, ref edgeRef, NR,
                                    accumulate: false);
                                MergeEdge(ref edgeRef, ref cTile, ldc, rows, columns, accumulateBlock);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void MergeEdge(ref float tile, ref float c, int ldc, int rows, int columns, bool accumulate)
    {
        for (var r = 0; r < rows; r++)
        {
            ref var source = ref Unsafe.Add(ref tile, r * NR);
            ref var destination = ref Unsafe.Add(ref c, r * ldc);
            for (var j = 0; j < columns; j++)
            {
                var value = Unsafe.Add(ref source, j);
                Unsafe.Add(ref destination, j) = accumulate ? Unsafe.Add(ref destination, j) + value : value;
            }
        }
    }

    private static float[] Buffer(ref float[]? cache, int length)
    {
        if (cache is null || cache.Length < length)
        {
            cache = new float[length];
        }

        return cache;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
