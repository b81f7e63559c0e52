namespace Edge.Trainer.Training;

/// <summary>
/// A run of consecutive modules forwarded on their own, with buffers of their own: lets a local or perturbative
/// mode replay one block of a network without touching the network's activations.
/// </summary>
public sealed class ModuleChain
{
    private readonly PnnModule[] _modules;
    private readonly float[][] _outputs;

    /// <summary>
    /// Chains <paramref name="modules"/> (already size-compatible) for batches up to <paramref name="maxBatch"/>.
    /// </summary>
    public ModuleChain(IEnumerable<PnnModule> modules, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(modules);
        _modules = [.. modules];
        MaxBatch = maxBatch;
        _outputs = [.. _modules.Select(m => new float[maxBatch * m.OutputSize])];
    }

    /// <summary>Largest batch.</summary>
    public int MaxBatch { get; }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<PnnModule> Modules => _modules;

    /// <summary>
    /// Forwards <paramref name="batch"/> rows through the device; returns the last module's output buffer.
    /// </summary>
    public async ValueTask<float[]> ForwardAsync(float[] input, int batch, CancellationToken cancellationToken)
    {
        var current = input;
        for (var i = 0; i < _modules.Length; i++)
        {
            await _modules[i]
                .ForwardAsync(current, batch, _outputs[i], PassKind.Device, training: true, cancellationToken)
                .ConfigureAwait(false);
            current = _outputs[i];
        }

        return current;
    }
}
