using Edge.Domain.Simulation;
using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>Trainable element-wise scale and offset: y = s ⊙ x + o (the digital glue between physical
/// layers).</summary>
public sealed class ElementwiseAffine : PnnModule
{
    private readonly Parameter _scale;
    private readonly Parameter _offset;

    /// <summary>Creates the layer with the given initial scale and offset.</summary>
    public ElementwiseAffine(string name, int size, float initialScale = 1f, float initialOffset = 0f)
    {
        _scale = new Parameter($"{name}.scale", size);
        _offset = new Parameter($"{name}.offset", size);
        Array.Fill(_scale.Value, initialScale);
        Array.Fill(_offset.Value, initialOffset);
    }

    /// <inheritdoc />
    public override int InputSize => _scale.Value.Length;

    /// <inheritdoc />
    public override int OutputSize => _scale.Value.Length;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_scale, _offset];

    /// <inheritdoc />
    public override ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        var n = InputSize;
        for (var i = 0; i < batch * n; i++)
        {
            output[i] = (_scale.Value[i % n] * input[i]) + _offset.Value[i % n];
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        var n = InputSize;
        for (var i = 0; i < batch * n; i++)
        {
            var j = i % n;
            _scale.Gradient[j] += outputGradient[i] * input[i];
            _offset.Gradient[j] += outputGradient[i];
            inputGradient[i] = outputGradient[i] * _scale.Value[j];
        }
    }
}

/// <summary>Reads the class scores from the first bins of a physical layer: logits = a · y[:k] with a trainable scalar
/// a.</summary>
public sealed class BinReadout : PnnModule
{
    private readonly Parameter _scale = new("readout.scale", 1);

    /// <summary>Creates the readout.</summary>
    public BinReadout(int inputSize, int classes, float initialScale)
    {
        if (classes > inputSize)
        {
            throw new ArgumentException($"Cannot read {classes} classes from {inputSize} bins.", nameof(classes));
        }

        InputSize = inputSize;
        OutputSize = classes;
        _scale.Value[0] = initialScale;
    }

    /// <inheritdoc />
    public override int InputSize { get; }

    /// <inheritdoc />
    public override int OutputSize { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_scale];

    /// <inheritdoc />
    public override ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        var a = _scale.Value[0];
        for (var b = 0; b < batch; b++)
        {
            for (var k = 0; k < OutputSize; k++)
            {
                output[(b * OutputSize) + k] = a * input[(b * InputSize) + k];
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        var a = _scale.Value[0];
        Array.Clear(inputGradient, 0, batch * InputSize);
        for (var b = 0; b < batch; b++)
        {
            for (var k = 0; k < OutputSize; k++)
            {
                var g = outputGradient[(b * OutputSize) + k];
                _scale.Gradient[0] += g * input[(b * InputSize) + k];
                inputGradient[(b * InputSize) + k] = g * a;
            }
        }
    }
}

/// <summary>A dense digital layer y = W x + b (PyTorch's default initialisation).</summary>
public sealed class DigitalLinear : PnnModule
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    /// <summary>Creates the layer.</summary>
    public DigitalLinear(string name, int inputSize, int outputSize, ulong seed)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        _weight = new Parameter($"{name}.weight", inputSize * outputSize);
        _bias = new Parameter($"{name}.bias", outputSize);
        var random = new NoiseSource(seed);
        var bound = 1.0 / Math.Sqrt(inputSize);
        for (var i = 0; i < _weight.Value.Length; i++)
        {
            _weight.Value[i] = (float)random.NextUniform(-bound, bound);
        }

        for (var i = 0; i < _bias.Value.Length; i++)
        {
            _bias.Value[i] = (float)random.NextUniform(-bound, bound);
        }
    }

    /// <inheritdoc />
    public override int InputSize { get; }

    /// <inheritdoc />
    public override int OutputSize { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_weight, _bias];

    /// <inheritdoc />
    public override ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        for (var b = 0; b < batch; b++)
        {
            var x = input.AsSpan(b * InputSize, InputSize);
            for (var o = 0; o < OutputSize; o++)
            {
                var w = _weight.Value.AsSpan(o * InputSize, InputSize);
                var sum = _bias.Value[o];
                for (var i = 0; i < InputSize; i++)
                {
                    sum += w[i] * x[i];
                }

                output[(b * OutputSize) + o] = sum;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        Array.Clear(inputGradient, 0, batch * InputSize);
        for (var b = 0; b < batch; b++)
        {
            for (var o = 0; o < OutputSize; o++)
            {
                var g = outputGradient[(b * OutputSize) + o];
                _bias.Gradient[o] += g;
                for (var i = 0; i < InputSize; i++)
                {
                    _weight.Gradient[(o * InputSize) + i] += g * input[(b * InputSize) + i];
                    inputGradient[(b * InputSize) + i] += g * _weight.Value[(o * InputSize) + i];
                }
            }
        }
    }
}
