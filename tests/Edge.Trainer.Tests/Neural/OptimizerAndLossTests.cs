using Edge.Trainer.Neural;

namespace Edge.Trainer.Tests.Neural;

public sealed class OptimizerAndLossTests
{
    [Fact]
    public void Adam_matches_pytorch_formula_over_two_steps()
    {
        // 11 elements: one full Vector256 plus a scalar tail.
        var parameter = new Parameter("p", 11);
        var expected = new double[11];
        var m = new double[11];
        var v = new double[11];
        for (var i = 0; i < 11; i++)
        {
            expected[i] = parameter.Value[i] = (i * 0.3f) - 1;
        }

        const double lr = 0.01, beta1 = 0.8, beta2 = 0.99, epsilon = 1e-6;
        var adam = new Adam([parameter], lr, beta1, beta2, epsilon);
        for (var t = 1; t <= 2; t++)
        {
            for (var i = 0; i < 11; i++)
            {
                var g = (float)((i - 5) * 0.7 * t);
                parameter.Gradient[i] = g;
                m[i] = (beta1 * m[i]) + ((1 - beta1) * g);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);
                var denominator = (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t))) + epsilon;
                expected[i] -= lr / (1 - Math.Pow(beta1, t)) * m[i] / denominator;
            }

            adam.Step();
            for (var i = 0; i < 11; i++)
            {
                Assert.Equal(expected[i], parameter.Value[i], 1e-6);
            }
        }

        adam.ZeroGradients();
        Assert.All(parameter.Gradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_the_learning_rate_against_the_gradient_sign()
    {
        var parameter = new Parameter("p", 3);
        parameter.Gradient[0] = 5;
        parameter.Gradient[1] = -0.01f;
        var adam = new Adam([parameter], 0.1) { LearningRate = 0.05 };
        adam.Step();
        Assert.Equal(-0.05, parameter.Value[0], 1e-6);
        Assert.Equal(0.05, parameter.Value[1], 1e-5);
        Assert.Equal(0, parameter.Value[2]);
    }

    [Fact]
    public void Mean_squared_error_value_and_gradient()
    {
        float[] prediction = [1, 2, 3, 4];
        float[] target = [0, 2, 5, 4];
        var gradient = new float[4];
        var loss = Losses.MeanSquaredError(prediction, target, gradient);
        Assert.Equal((1 + 0 + 4 + 0) / 4.0, loss, 1e-12);
        Assert.Equal([0.5f, 0f, -1f, 0f], gradient);
    }

    [Fact]
    public void Softmax_cross_entropy_value_and_gradient_match_finite_differences()
    {
        float[] logits = [1, 2, 0.5f, -1, 1000, 999];
        int[] labels = [1, 0];
        var gradient = new float[6];
        var loss = Losses.SoftmaxCrossEntropy(logits, labels, 3, gradient);
        var row0 = -Math.Log(Math.Exp(2) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(0.5)));
        var row1 = 1001 + Math.Log(1 + Math.Exp(-1)); // log-sum-exp of [-1, 1000, 999] minus the label logit -1
        Assert.Equal((row0 + row1) / 2, loss, 1e-5);
        Assert.Equal(0, gradient.Sum(), 1e-6);
        for (var i = 0; i < logits.Length; i++)
        {
            var plus = (float[])logits.Clone();
            var minus = (float[])logits.Clone();
            plus[i] += 1e-2f;
            minus[i] -= 1e-2f;
            var numeric = (Losses.SoftmaxCrossEntropy(plus, labels, 3, default)
                - Losses.SoftmaxCrossEntropy(minus, labels, 3, default)) / 2e-2;
            Assert.Equal(numeric, gradient[i], 1e-3);
        }
    }

    [Fact]
    public void Softmax_cross_entropy_rejects_bad_labels()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropy(new float[3], [3], 3, default));
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(new float[4], [0], 3, default));
    }
}
