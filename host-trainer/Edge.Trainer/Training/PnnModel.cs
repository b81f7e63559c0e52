using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>A hybrid physical-digital network: a chain of modules ending in class logits.</summary>
public sealed class PnnModel
{
    private readonly float[][] _activations;
    private readonly float[][] _gradients;

    /// <summary>Chains <paramref name="modules"/>; each output size must match the next input size.</summary>
    public PnnModel(IReadOnlyList<PnnModule> modules, int maxBatch)
    {
        for (var i = 1; i < modules.Count; i++)
        {
            if (modules[i - 1].OutputSize != modules[i].InputSize)
            {
                throw new
                    ArgumentException($"Module {i - 1} outputs {modules[i - 1].OutputSize} values but module {i} takes "
                        + $"{modules[i].InputSize}.", nameof(modules));
            }
        }

        Modules = modules;
        MaxBatch = maxBatch;
        _activations = new float[modules.Count + 1][];
        _gradients = new float[modules.Count + 1][];
        _activations[0] = new float[maxBatch * modules[0].InputSize];
        _gradients[0] = new float[maxBatch * modules[0].InputSize];
        for (var i = 0; i < modules.Count; i++)
        {
            _activations[i + 1] = new float[maxBatch * modules[i].OutputSize];
            _gradients[i + 1] = new float[maxBatch * modules[i].OutputSize];
        }

        var parameters = new List<Parameter>();
        var physical = new List<PhysicalLayer>();
        foreach (var module in modules)
        {
            parameters.AddRange(module.Parameters);
            if (module is PhysicalLayer layer)
            {
                physical.Add(layer);
            }
            else if (module is ParallelLayers bank)
            {
                physical.AddRange(bank.PhysicalLayers);
            }
        }

        Parameters = parameters;
        PhysicalLayers = physical;
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<PnnModule> Modules { get; }

    /// <summary>All trainable parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The physical layers, in order.</summary>
    public IReadOnlyList<PhysicalLayer> PhysicalLayers { get; }

    /// <summary>Largest batch.</summary>
    public int MaxBatch { get; }

    /// <summary>Number of inputs per example.</summary>
    public int InputSize => Modules[0].InputSize;

    /// <summary>Number of class logits per example.</summary>
    public int ClassCount => Modules[^1].OutputSize;

    /// <summary>Drives sent to devices by all physical layers.</summary>
    public long DrivesSent
    {
        get
        {
            var total = 0L;
            foreach (var layer in PhysicalLayers)
            {
                total += layer.DrivesSent;
            }

            return total;
        }
    }

    /// <summary>Examples the physical layers ran through a twin (forward or for a backward pass).</summary>
    public long TwinPasses
    {
        get
        {
            var total = 0L;
            foreach (var layer in PhysicalLayers)
            {
                total += layer.TwinPasses;
            }

            return total;
        }
    }

    /// <summary>Index of the last module that is, or holds, a physical layer (−1 for a digital network).</summary>
    public int LastPhysicalModule
    {
        get
        {
            for (var i = Modules.Count - 1; i >= 0; i--)
            {
                if (Modules[i] is PhysicalLayer || (Modules[i] is ParallelLayers bank && bank.PhysicalLayers.Count > 0))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>
    /// The input rows module <paramref name="index"/> received in the last forward (index = module count: the
    /// logits); valid until the next forward.
    /// </summary>
    public float[] Activation(int index) => _activations[index];

    /// <summary>Sum of the modules' range penalties from the last training forward.</summary>
    public double Penalty
    {
        get
        {
            var total = 0.0;
            foreach (var module in Modules)
            {
                total += module.Penalty;
            }

            return total;
        }
    }

    /// <summary>Runs the batch; returns the logits buffer (valid until the next call).</summary>
    public async ValueTask<float[]> ForwardAsync(ReadOnlyMemory<float> inputs, int batch, PassKind pass, bool training,
        CancellationToken cancellationToken = default)
    {
        if (batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"Batch exceeds the model's maximum of {MaxBatch}.");
        }

        inputs.Span[..(batch * InputSize)].CopyTo(_activations[0]);
        for (var i = 0; i < Modules.Count; i++)
        {
            await Modules[i].ForwardAsync(_activations[i], batch, _activations[i + 1], pass, training,
                cancellationToken).ConfigureAwait(false);
        }

        return _activations[^1];
    }

    /// <summary>
    /// Back-propagates the gradient of the loss with respect to the logits of the last training forward, down to
    /// module <paramref name="firstModule"/> (0: the whole network; later: only the digital tail after the physics).
    /// </summary>
    public void Backward(ReadOnlySpan<float> logitGradient, int batch, int firstModule = 0)
    {
        logitGradient[..(batch * ClassCount)].CopyTo(_gradients[^1]);
        for (var i = Modules.Count - 1; i >= firstModule; i--)
        {
            Modules[i].Backward(_activations[i], batch, _gradients[i + 1], _gradients[i]);
        }
    }

    /// <summary>Lets every module apply its constraints after an optimiser step.</summary>
    public void AfterStep()
    {
        foreach (var module in Modules)
        {
            module.AfterStep();
        }
    }
}
