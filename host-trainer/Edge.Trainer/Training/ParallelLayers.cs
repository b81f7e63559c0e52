using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>
/// Several modules side by side: the input is cut into consecutive slices, one per branch, and the branches' outputs
/// are concatenated. With physical branches this is one device played several times per example with different
/// drives (each branch its own θ), which widens a hybrid PNN beyond one layer's input and output count.
/// </summary>
public sealed class ParallelLayers : PnnModule
{
    private readonly PnnModule[] _branches;
    private readonly float[][] _inputs;
    private readonly float[][] _outputs;
    private readonly float[][] _inputGradients;
    private readonly float[][] _outputGradients;

    /// <summary>Creates the bank; every branch gets buffers for <paramref name="maxBatch"/> examples.</summary>
    public ParallelLayers(IReadOnlyList<PnnModule> branches, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Count == 0)
        {
            throw new ArgumentException("A parallel bank needs at least one branch.", nameof(branches));
        }

        _branches = [.. branches];
        _inputs = new float[_branches.Length][];
        _outputs = new float[_branches.Length][];
        _inputGradients = new float[_branches.Length][];
        _outputGradients = new float[_branches.Length][];
        var parameters = new List<Parameter>();
        var physical = new List<PhysicalLayer>();
        for (var k = 0; k < _branches.Length; k++)
        {
            var branch = _branches[k];
            InputSize += branch.InputSize;
            OutputSize += branch.OutputSize;
            _inputs[k] = new float[maxBatch * branch.InputSize];
            _inputGradients[k] = new float[maxBatch * branch.InputSize];
            _outputs[k] = new float[maxBatch * branch.OutputSize];
            _outputGradients[k] = new float[maxBatch * branch.OutputSize];
            parameters.AddRange(branch.Parameters);
            if (branch is PhysicalLayer layer)
            {
                physical.Add(layer);
            }
        }

        Parameters = parameters;
        PhysicalLayers = physical;
    }

    /// <summary>The branches, in slice order.</summary>
    public IReadOnlyList<PnnModule> Branches => _branches;

    /// <summary>The branches that are physical layers.</summary>
    public IReadOnlyList<PhysicalLayer> PhysicalLayers { get; }

    /// <inheritdoc />
    public override int InputSize { get; }

    /// <inheritdoc />
    public override int OutputSize { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public override double Penalty
    {
        get
        {
            var total = 0.0;
            foreach (var branch in _branches)
            {
                total += branch.Penalty;
            }

            return total;
        }
    }

    /// <inheritdoc />
    public override async ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        var inputOffset = 0;
        var outputOffset = 0;
        for (var k = 0; k < _branches.Length; k++)
        {
            var branch = _branches[k];
            Gather(input, InputSize, inputOffset, _inputs[k], branch.InputSize, batch);
            await branch.ForwardAsync(_inputs[k], batch, _outputs[k], pass, training,
                cancellationToken).ConfigureAwait(false);
            Scatter(_outputs[k], branch.OutputSize, output, OutputSize, outputOffset, batch);
            inputOffset += branch.InputSize;
            outputOffset += branch.OutputSize;
        }
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        var inputOffset = 0;
        var outputOffset = 0;
        for (var k = 0; k < _branches.Length; k++)
        {
            var branch = _branches[k];
            Gather(outputGradient, OutputSize, outputOffset, _outputGradients[k], branch.OutputSize, batch);

            // The branch's own input buffer still holds the slice of the last training forward.
            branch.Backward(_inputs[k], batch, _outputGradients[k], _inputGradients[k]);
            Scatter(_inputGradients[k], branch.InputSize, inputGradient, InputSize, inputOffset, batch);
            inputOffset += branch.InputSize;
            outputOffset += branch.OutputSize;
        }
    }

    /// <inheritdoc />
    public override void AfterStep()
    {
        foreach (var branch in _branches)
        {
            branch.AfterStep();
        }
    }

    private static void Gather(float[] source, int sourceWidth, int offset, float[] destination, int width, int batch)
    {
        for (var b = 0; b < batch; b++)
        {
            source.AsSpan((b * sourceWidth) + offset, width).CopyTo(destination.AsSpan(b * width, width));
        }
    }

    private static void Scatter(float[] source, int width, float[] destination, int destinationWidth, int offset,
        int batch)
    {
        for (var b = 0; b < batch; b++)
        {
            source.AsSpan(b * width, width).CopyTo(destination.AsSpan((b * destinationWidth) + offset, width));
        }
    }
}
