using Edge.Trainer.Neural;

namespace Edge.Trainer.Tests.Neural;

public sealed class MlpTests
{
    private static readonly int[] SmallShape = [5, 7, 6, 3];

    [Fact]
    public void Init_is_deterministic_per_seed_and_within_pytorch_bounds()
    {
        var first = new Mlp([24, 256, 12], 42);
        var same = new Mlp([24, 256, 12], 42);
        var other = new Mlp([24, 256, 12], 43);
        Assert.Equal(4, first.Parameters.Count);
        Assert.Equal(["W0", "b0", "W1", "b1"], first.Parameters.Select(p => p.Name));
        Assert.Equal(256 * 24, first.Parameters[0].Value.Length);
        for (var i = 0; i < first.Parameters.Count; i++)
        {
            Assert.Equal(first.Parameters[i].Value, same.Parameters[i].Value);
            Assert.NotEqual(first.Parameters[i].Value, other.Parameters[i].Value);
            var bound = 1 / Math.Sqrt(first.LayerSizes[i / 2]);
            var values = first.Parameters[i].Value;
            Assert.All(values, v => Assert.InRange(v, -bound, bound));
            if (values.Length >= 256)
            {
                // Uniform fill: the extremes come close to the bound rather than bunching near zero.
                Assert.True(values.Max() > 0.95 * bound && values.Min() < -0.95 * bound);
            }
        }
    }

    [Fact]
    public void Forward_matches_a_float64_reference_and_is_the_same_with_or_without_activations()
    {
        var mlp = new Mlp(SmallShape, 3);
        var input = RandomInput(4, mlp.InputSize, 9);
        var output = new float[4 * mlp.OutputSize];
        var taped = new float[4 * mlp.OutputSize];
        mlp.Forward(input, 4, output);
        mlp.Forward(input, 4, taped, new MlpActivations(mlp, 8));
        var reference = ReferenceForward(mlp, input, 4);
        Assert.Equal(output, taped);
        for (var i = 0; i < output.Length; i++)
        {
            Assert.Equal(reference[i], output[i], 1e-5);
        }
    }

    [Fact]
    public void Large_batch_forward_without_activations_spans_several_chunks()
    {
        var mlp = new Mlp([3, 16, 2], 4) { MaxDegreeOfParallelism = 2 };
        const int batch = 1300;
        var input = RandomInput(batch, 3, 1);
        var output = new float[batch * 2];
        mlp.Forward(input, batch, output);
        var reference = ReferenceForward(mlp, input, batch);
        for (var i = 0; i < output.Length; i++)
        {
            Assert.Equal(reference[i], output[i], 1e-5);
        }
    }

    [Fact]
    public void Gradients_match_central_finite_differences_of_a_float64_reference()
    {
        var mlp = new Mlp(SmallShape, 11);
        const int batch = 3;
        var input = RandomInput(batch, mlp.InputSize, 2);
        var weights = RandomInput(batch, mlp.OutputSize, 5); // loss = Σ weights·output
        var activations = new MlpActivations(mlp, batch);
        mlp.Forward(input, batch, new float[batch * mlp.OutputSize], activations);
        var inputGradient = new float[input.Length];
        mlp.Backward(activations, weights, inputGradient, accumulateParameterGradients: true);
        // A second backward accumulates: parameter gradients double, the input gradient is overwritten.
        mlp.Backward(activations, weights, inputGradient, accumulateParameterGradients: true);

        double Loss(float[] x)
        {
            var output = ReferenceForward(mlp, x, batch);
            var sum = 0.0;
            for (var i = 0; i < output.Length; i++)
            {
                sum += weights[i] * output[i];
            }

            return sum;
        }

        const float h = 1e-2f;
        for (var i = 0; i < input.Length; i++)
        {
            var saved = input[i];
            input[i] = saved + h;
            var plus = Loss(input);
            input[i] = saved - h;
            var minus = Loss(input);
            input[i] = saved;
            Assert.Equal((plus - minus) / (2 * h), inputGradient[i], 2e-3);
        }

        foreach (var parameter in mlp.Parameters)
        {
            for (var i = 0; i < parameter.Value.Length; i++)
            {
                var saved = parameter.Value[i];
                parameter.Value[i] = saved + h;
                var plus = Loss(input);
                parameter.Value[i] = saved - h;
                var minus = Loss(input);
                parameter.Value[i] = saved;
                Assert.Equal(2 * (plus - minus) / (2 * h), parameter.Gradient[i], 4e-3);
            }
        }
    }

    [Fact]
    public void Backward_without_parameter_accumulation_leaves_gradients_untouched()
    {
        var mlp = new Mlp(SmallShape, 1);
        var activations = new MlpActivations(mlp, 2);
        mlp.Forward(RandomInput(2, 5, 1), 2, new float[6], activations);
        var inputGradient = new float[10];
        mlp.Backward(activations, RandomInput(2, 3, 2), inputGradient, accumulateParameterGradients: false);
        Assert.All(mlp.Parameters, p => Assert.All(p.Gradient, g => Assert.Equal(0f, g)));
        Assert.Contains(inputGradient, g => g != 0f);
    }

    [Fact]
    public void Clone_is_a_deep_copy()
    {
        var mlp = new Mlp(SmallShape, 8);
        var copy = mlp.Clone();
        Assert.Equal(mlp.LayerSizes, copy.LayerSizes);
        Assert.Equal(mlp.Parameters[0].Value, copy.Parameters[0].Value);
        copy.Parameters[0].Value[0] += 1;
        Assert.NotEqual(mlp.Parameters[0].Value[0], copy.Parameters[0].Value[0]);
    }

    [Fact]
    public void Mismatched_activations_and_oversized_batches_are_rejected()
    {
        var mlp = new Mlp(SmallShape, 8);
        var other = new Mlp([5, 4, 3], 8);
        var input = new float[5 * 4];
        Assert.Throws<ArgumentException>(() => mlp.Forward(input, 4, new float[12], new MlpActivations(other, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(()
            => mlp.Forward(input, 4, new float[12], new MlpActivations(mlp, 3)));
        Assert.Throws<ArgumentException>(() => mlp.Forward(input, 5, new float[15]));
    }

    [Fact]
    public void Learns_a_smooth_regression_with_adam()
    {
        var mlp = new Mlp([2, 32, 32, 1], 7) { MaxDegreeOfParallelism = 2 };
        const int samples = 512;
        var inputs = RandomInput(samples, 2, 3);
        var targets = new float[samples];
        for (var i = 0; i < samples; i++)
        {
            targets[i] = MathF.Sin(2 * inputs[2 * i]) * inputs[(2 * i) + 1];
        }

        var adam = new Adam(mlp.Parameters, 1e-2);
        var activations = new MlpActivations(mlp, 64);
        var output = new float[64];
        var gradient = new float[64];
        var initialLoss = FullLoss(mlp, inputs, targets);
        for (var epoch = 0; epoch < 150; epoch++)
        {
            for (var start = 0; start < samples; start += 64)
            {
                adam.ZeroGradients();
                mlp.Forward(inputs.AsSpan(start * 2, 128), 64, output, activations);
                Losses.MeanSquaredError(output, targets.AsSpan(start, 64), gradient);
                mlp.Backward(activations, gradient, default, accumulateParameterGradients: true);
                adam.Step();
            }
        }

        var finalLoss = FullLoss(mlp, inputs, targets);
        Assert.True(initialLoss > 0.05, $"initial loss {initialLoss}");
        Assert.True(finalLoss < 0.003, $"loss {initialLoss} → {finalLoss}");
    }

    private static double FullLoss(Mlp mlp, float[] inputs, float[] targets)
    {
        var output = new float[targets.Length];
        mlp.Forward(inputs, targets.Length, output);
        return Losses.MeanSquaredError(output, targets, default);
    }

    private static double[] ReferenceForward(Mlp mlp, float[] input, int batch)
    {
        var sizes = mlp.LayerSizes;
        var current = input.Select(v => (double)v).ToArray();
        for (var l = 0; l < sizes.Count - 1; l++)
        {
            var weights = mlp.Parameters[2 * l].Value;
            var bias = mlp.Parameters[(2 * l) + 1].Value;
            int fanIn = sizes[l], fanOut = sizes[l + 1];
            var next = new double[batch * fanOut];
            for (var r = 0; r < batch; r++)
            {
                for (var o = 0; o < fanOut; o++)
                {
                    var z = (double)bias[o];
                    for (var i = 0; i < fanIn; i++)
                    {
                        z += weights[(o * fanIn) + i] * current[(r * fanIn) + i];
                    }

                    next[(r * fanOut) + o] = l == sizes.Count - 2 ? z : z / (1 + Math.Exp(-z));
                }
            }

            current = next;
        }

        return current;
    }

    private static float[] RandomInput(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
