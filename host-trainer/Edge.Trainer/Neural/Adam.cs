using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Trainer.Neural;

/// <summary>
/// Adam as in PyTorch's <c>torch.optim.Adam</c> (bias-corrected moments, ε added after the square root, no weight
/// decay): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε).
/// </summary>
public sealed class Adam
{
    private readonly Parameter[] _parameters;
    private readonly float[][] _firstMoments;
    private readonly float[][] _secondMoments;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private long _step;

    /// <summary>Creates the optimiser with zero moment estimates for every parameter.</summary>
    public Adam(IReadOnlyList<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), "Betas must lie in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        _parameters = [.. parameters];
        _firstMoments = new float[_parameters.Length][];
        _secondMoments = new float[_parameters.Length][];
        for (var i = 0; i < _parameters.Length; i++)
        {
            _firstMoments[i] = new float[_parameters[i].Value.Length];
            _secondMoments[i] = new float[_parameters[i].Value.Length];
        }

        LearningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
    }

    /// <summary>Step size; may be changed between steps (learning-rate schedules).</summary>
    public double LearningRate { get; set; }

    /// <summary>Applies one update from the current <see cref="Parameter.Gradient"/> values.</summary>
    public void Step()
    {
        _step++;
        var correction1 = 1 - Math.Pow(_beta1, _step);
        var correction2 = 1 - Math.Pow(_beta2, _step);
        var stepSize = (float)(LearningRate / correction1);
        var inverseSqrtCorrection2 = (float)(1 / Math.Sqrt(correction2));
        for (var i = 0; i < _parameters.Length; i++)
        {
            Update(_parameters[i].Value, _parameters[i].Gradient, _firstMoments[i], _secondMoments[i], stepSize,
                inverseSqrtCorrection2);
        }
    }

    /// <summary>Clears the gradients of all optimised parameters.</summary>
    public void ZeroGradients()
    {
        foreach (var parameter in _parameters)
        {
            parameter.ZeroGradient();
        }
    }

    private void Update(Span<float> value, ReadOnlySpan<float> gradient, Span<float> first, Span<float> second,
        float stepSize, float inverseSqrtCorrection2)
    {
        var beta1 = (float)_beta1;
        var beta2 = (float)_beta2;
        var epsilon = (float)_epsilon;
        var oneMinusBeta1 = (float)(1 - _beta1);
        var oneMinusBeta2 = (float)(1 - _beta2);
        var vectors = value.Length / Vector256<float>.Count;
        var valueVectors = MemoryMarshal.Cast<float, Vector256<float>>(value);
        var gradientVectors = MemoryMarshal.Cast<float, Vector256<float>>(gradient);
        var firstVectors = MemoryMarshal.Cast<float, Vector256<float>>(first);
        var secondVectors = MemoryMarshal.Cast<float, Vector256<float>>(second);
        for (var i = 0; i < vectors; i++)
        {
            var g = gradientVectors[i];
            var m = (beta1 * firstVectors[i]) + (oneMinusBeta1 * g);
            var v = (beta2 * secondVectors[i]) + (oneMinusBeta2 * g * g);
            firstVectors[i] = m;
            secondVectors[i] = v;
            valueVectors[i] -= stepSize * m
                / ((Vector256.Sqrt(v) * inverseSqrtCorrection2) + Vector256.Create(epsilon));
        }

        for (var i = vectors * Vector256<float>.Count; i < value.Length; i++)
        {
            var g = gradient[i];
            var m = (beta1 * first[i]) + (oneMinusBeta1 * g);
            var v = (beta2 * second[i]) + (oneMinusBeta2 * g * g);
            first[i] = m;
            second[i] = v;
            value[i] -= stepSize * m / ((MathF.Sqrt(v) * inverseSqrtCorrection2) + epsilon);
        }
    }
}
