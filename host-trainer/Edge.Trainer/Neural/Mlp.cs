using Edge.Domain.Simulation;

namespace Edge.Trainer.Neural;

/// <summary>
/// Fully connected network Linear→SiLU→…→Linear (no activation after the last layer) on row-major float batches,
/// with a hand-written backward pass. Weights are [out, in] row-major, as in PyTorch's <c>nn.Linear</c>.
/// Not thread-safe for concurrent training; concurrent <see cref="Forward"/> calls without activations are safe.
/// </summary>
public sealed class Mlp
{
    // Rows per chunk for inference without caller-provided activations, so scratch stays small.
    private const int InferenceChunk = 512;

    [ThreadStatic]
    private static float[]? t_scratchInput;

    [ThreadStatic]
    private static float[]? t_scratchPing;

    [ThreadStatic]
    private static float[]? t_scratchPong;

    private readonly int[] _layerSizes;
    private readonly Parameter[] _parameters;
    private readonly int _widest;
    private int _maxDegreeOfParallelism = 1;

    /// <summary>
    /// Creates the network with PyTorch's default <c>nn.Linear</c> initialisation (weights and biases uniform in
    /// ±1/√fan_in), fully determined by <paramref name="seed"/>.
    /// </summary>
    public Mlp(IReadOnlyList<int> layerSizes, ulong seed)
        : this(layerSizes)
    {
        var random = new NoiseSource(seed);
        for (var l = 0; l < LayerCount; l++)
        {
            var bound = 1.0 / Math.Sqrt(_layerSizes[l]);
            foreach (var parameter in (ReadOnlySpan<Parameter>)[_parameters[2 * l], _parameters[(2 * l) + 1]])
            {
                var values = parameter.Value;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)random.NextUniform(-bound, bound);
                }
            }
        }
    }

    private Mlp(IReadOnlyList<int> layerSizes)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Count < 2)
        {
            throw new ArgumentException("An MLP needs at least an input and an output size.", nameof(layerSizes));
        }

        _layerSizes = new int[layerSizes.Count];
        for (var i = 0; i < _layerSizes.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerSizes[i], nameof(layerSizes));
            _layerSizes[i] = layerSizes[i];
            _widest = Math.Max(_widest, layerSizes[i]);
        }

        _parameters = new Parameter[2 * LayerCount];
        for (var l = 0; l < LayerCount; l++)
        {
            _parameters[2 * l] = new Parameter($"W{l}", _layerSizes[l + 1] * _layerSizes[l]);
            _parameters[(2 * l) + 1] = new Parameter($"b{l}", _layerSizes[l + 1]);
        }

        LayerSizes = Array.AsReadOnly(_layerSizes);
        Parameters = Array.AsReadOnly(_parameters);
    }

    /// <summary>Features per input row.</summary>
    public int InputSize => _layerSizes[0];

    /// <summary>Values per output row.</summary>
    public int OutputSize => _layerSizes[^1];

    /// <summary>Widths of all layers, input first.</summary>
    public IReadOnlyList<int> LayerSizes { get; }

    /// <summary>W0, b0, W1, b1, …; each W is row-major [out, in].</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Threads the matrix products may use; only large products are split.</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxDegreeOfParallelism = value;
        }
    }

    private int LayerCount => _layerSizes.Length - 1;

    /// <summary>
    /// Forwards <paramref name="batch"/> rows of <paramref name="input"/> ([batch, InputSize]) into
    /// <paramref name="output"/> ([batch, OutputSize]). When <paramref name="activations"/> is given it keeps what
    /// <see cref="Backward"/> needs; it must have been created for at least <paramref name="batch"/> rows.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, MlpActivations? activations = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        RequireLength(input.Length, batch * InputSize, nameof(input));
        RequireLength(output.Length, batch * OutputSize, nameof(output));
        if (activations is null)
        {
            ForwardWithoutTape(input, batch, output);
            return;
        }

        RequireCompatible(activations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, activations.MaxBatch, nameof(batch));
        input[..(batch * InputSize)].CopyTo(activations.Input);
        var previous = activations.Input;
        for (var l = 0; l < LayerCount; l++)
        {
            var isLast = l == LayerCount - 1;
            var destination = isLast ? activations.Output : activations.Hidden[l];
            ApplyLayer(l, previous, batch, destination, isLast ? default : activations.Sigmoid[l]);
            previous = destination;
        }

        activations.Output.AsSpan(0, batch * OutputSize).CopyTo(output);
        activations.Batch = batch;
    }

    /// <summary>
    /// Backpropagates <paramref name="outputGradient"/> (dL/doutput, [batch, OutputSize]) through the batch last
    /// forwarded into <paramref name="activations"/>. Writes dL/dinput into <paramref name="inputGradient"/> unless it
    /// is empty, and adds parameter gradients into <see cref="Parameter.Gradient"/> when
    /// <paramref name="accumulateParameterGradients"/> is true.
    /// </summary>
    public void Backward(MlpActivations activations, ReadOnlySpan<float> outputGradient, Span<float> inputGradient,
        bool accumulateParameterGradients)
    {
        ArgumentNullException.ThrowIfNull(activations);
        RequireCompatible(activations);
        var batch = activations.Batch;
        RequireLength(outputGradient.Length, batch * OutputSize, nameof(outputGradient));
        if (!inputGradient.IsEmpty)
        {
            RequireLength(inputGradient.Length, batch * InputSize, nameof(inputGradient));
        }

        var gradient = activations.GradientA;
        var spare = activations.GradientB;
        outputGradient[..(batch * OutputSize)].CopyTo(gradient);
        for (var l = LayerCount - 1; l >= 0; l--)
        {
            var fanIn = _layerSizes[l];
            var fanOut = _layerSizes[l + 1];
            var previous = l == 0 ? activations.Input : activations.Hidden[l - 1];
            if (accumulateParameterGradients)
            {
                // dW[out, in] += dZᵀ[out, batch] · X[batch, in];  db += column sums of dZ.
                Gemm.Multiply(true, false, fanOut, fanIn, batch, gradient, fanOut, previous, fanIn,
                    _parameters[2 * l].Gradient, fanIn, accumulate: true, MaxDegreeOfParallelism);
                ActivationMath.AccumulateColumnSums(gradient, batch, _parameters[(2 * l) + 1].Gradient);
            }

            if (l == 0 && inputGradient.IsEmpty)
            {
                break;
            }

            // dX[batch, in] = dZ[batch, out] · W[out, in].
            Gemm.Multiply(false, false, batch, fanIn, fanOut, gradient, fanOut, _parameters[2 * l].Value, fanIn, spare,
                fanIn, accumulate: false, MaxDegreeOfParallelism);
            if (l > 0)
            {
                ActivationMath.MultiplySiluDerivative(spare.AsSpan(0, batch * fanIn), previous,
                    activations.Sigmoid[l - 1]);
            }
            else
            {
                spare.AsSpan(0, batch * fanIn).CopyTo(inputGradient);
            }

            (gradient, spare) = (spare, gradient);
        }
    }

    /// <summary>Deep copy of the architecture and weights (gradients start at zero), e.g. to fine-tune a
    /// copy.</summary>
    public Mlp Clone()
    {
        var copy = new Mlp(_layerSizes) { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        for (var i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].Value.CopyTo(copy._parameters[i].Value, 0);
        }

        return copy;
    }

    // Z = X·Wᵀ + b, then SiLU in place for hidden layers (σ kept when `sigmoid` is not empty).
    private void ApplyLayer(int layer, float[] previous, int batch, float[] destination, Span<float> sigmoid)
    {
        var fanIn = _layerSizes[layer];
        var fanOut = _layerSizes[layer + 1];
        Gemm.Multiply(false, true, batch, fanOut, fanIn, previous, fanIn, _parameters[2 * layer].Value, fanIn,
            destination, fanOut, accumulate: false, MaxDegreeOfParallelism);
        var bias = _parameters[(2 * layer) + 1].Value;
        var values = destination.AsSpan(0, batch * fanOut);
        if (layer == LayerCount - 1)
        {
            ActivationMath.AddBias(values, bias, batch);
        }
        else
        {
            ActivationMath.AddBiasSilu(values, bias, batch, sigmoid);
        }
    }

    private void ForwardWithoutTape(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        var input0 = Scratch(ref t_scratchInput, InferenceChunk * InputSize);
        var ping = Scratch(ref t_scratchPing, InferenceChunk * _widest);
        var pong = Scratch(ref t_scratchPong, InferenceChunk * _widest);
        for (var start = 0; start < batch; start += InferenceChunk)
        {
            var rows = Math.Min(InferenceChunk, batch - start);
            input.Slice(start * InputSize, rows * InputSize).CopyTo(input0);
            var previous = input0;
            var destination = ping;
            for (var l = 0; l < LayerCount; l++)
            {
                ApplyLayer(l, previous, rows, destination, default);
                previous = destination;
                destination = destination == ping ? pong : ping;
            }

            previous.AsSpan(0, rows * OutputSize).CopyTo(output.Slice(start * OutputSize, rows * OutputSize));
        }
    }

    private void RequireCompatible(MlpActivations activations)
    {
        if (!activations.LayerSizes.AsSpan().SequenceEqual(_layerSizes))
        {
            throw new ArgumentException("The activations were created for a network of another shape.",
                nameof(activations));
        }
    }

    private static void RequireLength(int actual, int needed, string name)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"Holds {actual} floats; the batch needs {needed}.", name);
        }
    }

    private static float[] Scratch(ref float[]? cache, int length)
    {
        if (cache is null || cache.Length < length)
        {
            cache = new float[length];
        }

        return cache;
    }
}
