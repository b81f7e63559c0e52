using Edge.Trainer.Neural;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Edge.Trainer.Tests.Neural;

public sealed class GemmTests
{
    [Property(MaxTest = 60)]
    public Property All_variants_match_a_naive_triple_loop_on_random_shapes()
    {
        var shapes =
            from m in Gen.Choose(1, 40)
            from n in Gen.Choose(1, 40)
            from k in Gen.Choose(1, 300)
            from transposeA in Gen.Elements(false, true)
            from transposeB in Gen.Elements(false, true)
            from accumulate in Gen.Elements(false, true)
            from portable in Gen.Elements(false, true)
            from padding in Gen.Choose(0, 3)
            from seed in Gen.Choose(0, int.MaxValue)
            select (m, n, k, transposeA, transposeB, accumulate, portable, padding, seed);
        return Prop.ForAll(shapes.ToArbitrary(), s =>
            CheckAgainstNaive(s.m, s.n, s.k, s.transposeA, s.transposeB, s.accumulate, s.portable, s.padding, s.seed));
    }

    [Theory]
    [InlineData(256, 256, 256)]
    [InlineData(97, 300, 513)]
    [InlineData(32, 12, 256)]
    [InlineData(1, 1, 1)]
    public void Large_and_blocked_shapes_match_naive(int m, int n, int k)
    {
        foreach (var transposeA in new[] { false, true })
        {
            foreach (var transposeB in new[] { false, true })
            {
                Assert.True(CheckAgainstNaive(m, n, k, transposeA, transposeB, accumulate: true, portable: false,
                    padding: 1, seed: m + n + k));
                Assert.True(CheckAgainstNaive(m, n, k, transposeA, transposeB, accumulate: false, portable: true,
                    padding: 0, seed: m * n));
            }
        }
    }

    [Fact]
    public void Parallel_array_overload_matches_serial()
    {
        const int m = 301, n = 130, k = 257;
        var random = new Random(5);
        var a = RandomArray(random, m * k);
        var b = RandomArray(random, k * n);
        var serial = new float[m * n];
        var parallel = new float[m * n];
        Gemm.Multiply(m, n, k, a, b, serial, accumulate: false);
        Gemm.Multiply(false, false, m, n, k, a, k, b, n, parallel, n, accumulate: false, maxDegreeOfParallelism: 2);
        Assert.Equal(serial, parallel);
    }

    [Fact]
    public void Convenience_forms_use_dense_leading_dimensions()
    {
        // A = [[1,2],[3,4]], B = [[5,6],[7,8]].
        float[] a = [1, 2, 3, 4];
        float[] b = [5, 6, 7, 8];
        var c = new float[4];
        Gemm.Multiply(2, 2, 2, a, b, c, accumulate: false);
        Assert.Equal([19f, 22f, 43f, 50f], c);
        Gemm.MultiplyByTransposed(2, 2, 2, a, b, c, accumulate: false);
        Assert.Equal([17f, 23f, 39f, 53f], c);
        Gemm.MultiplyTransposed(2, 2, 2, a, b, c, accumulate: true);
        Assert.Equal([17f + 26f, 23f + 30f, 39f + 38f, 53f + 44f], c);
    }

    [Fact]
    public void Too_short_operands_are_rejected()
    {
        var c = new float[4];
        Assert.Throws<ArgumentException>(()
            => Gemm.Multiply(2, 2, 2, new float[3], new float[4], c, accumulate: false));
    }

    private static bool CheckAgainstNaive(int m, int n, int k, bool transposeA, bool transposeB, bool accumulate,
        bool portable, int padding, int seed)
    {
        var random = new Random(seed);
        var lda = (transposeA ? m : k) + padding;
        var ldb = (transposeB ? k : n) + padding;
        var ldc = n + padding;
        var a = RandomArray(random, (transposeA ? k : m) * lda);
        var b = RandomArray(random, (transposeB ? n : k) * ldb);
        var c = RandomArray(random, m * ldc);
        var expected = new double[m * ldc];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = accumulate ? c[(i * ldc) + j] : 0.0;
                for (var p = 0; p < k; p++)
                {
                    var av = transposeA ? a[(p * lda) + i] : a[(i * lda) + p];
                    var bv = transposeB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sum += (double)av * bv;
                }

                expected[(i * ldc) + j] = sum;
            }
        }

        var padValue = c.Length > n ? c[n..ldc] : [];
        Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, portable);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var tolerance = 1e-5 * (k + 1) * 4;
                if (Math.Abs(c[(i * ldc) + j] - expected[(i * ldc) + j]) > tolerance)
                {
                    return false;
                }
            }
        }

        // Padding columns of C must be left alone.
        return padValue.AsSpan().SequenceEqual(c.AsSpan(n, ldc - n));
    }

    private static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
