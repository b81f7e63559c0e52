using Edge.Agent.Inference;

namespace Edge.Agent.Models;

/// <summary>
/// Holds the model serving classifications, without the store's install lock: a swap replaces the reference at once,
/// and the old model is disposed only when the last <see cref="ModelLease"/> on it is released, so a classification
/// that started on it finishes on it. Classifications of one model take turns (its buffers are reused per call).
/// </summary>
internal sealed class ActiveModel : IDisposable
{
    private readonly Lock _swap = new();
    private ModelSlot? _current;

    /// <summary>The manifest of the active model, or null when none is active.</summary>
    public Edge.Domain.Models.ModelManifest? Manifest => Volatile.Read(ref _current)?.Model.Manifest;

    /// <summary>A lease on the active model (dispose it when done), or null when none is active.</summary>
    public ModelLease? Acquire()
    {
        lock (_swap)
        {
            if (_current is not { } slot)
            {
                return null;
            }

            slot.AddReference();
            return new ModelLease(slot);
        }
    }

    /// <summary>Makes <paramref name="next"/> active (this holder now owns it); releases the previous one.</summary>
    public void Swap(HybridModel? next)
    {
        ModelSlot? previous;
        lock (_swap)
        {
            previous = _current;
            _current = next is null ? null : new ModelSlot(next);
        }

        previous?.Release();
    }

    /// <inheritdoc />
    public void Dispose() => Swap(null);
}

/// <summary>A model with its reference count and its turn lock.</summary>
internal sealed class ModelSlot(HybridModel model)
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _references = 1;

    public HybridModel Model { get; } = model;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Model.Dispose();
            _turn.Dispose();
        }
    }

    public async Task<InferenceResult> ClassifyAsync(
        ReadOnlyMemory<float> features,
        CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Model.ClassifyAsync(features, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }
}

/// <summary>Keeps one model alive while it is used; classifications through it take turns with other users.</summary>
internal sealed class ModelLease : IDisposable
{
    private ModelSlot? _slot;

    internal ModelLease(ModelSlot slot) => _slot = slot;

    /// <summary>The leased model's manifest.</summary>
    public Edge.Domain.Models.ModelManifest Manifest => Slot.Model.Manifest;

    /// <summary>The leased model's version.</summary>
    public int Version => Slot.Model.Version;

    private ModelSlot Slot => _slot ?? throw new ObjectDisposedException(nameof(ModelLease));

    /// <summary>Classifies one example with the leased model, waiting for its turn.</summary>
    public Task<InferenceResult> ClassifyAsync(ReadOnlyMemory<float> features, CancellationToken cancellationToken)
        => Slot.ClassifyAsync(features, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _slot, null)?.Release();
}
