using Edge.Domain.Devices;
using Edge.Domain.Specs;

namespace Edge.Agent.Messaging;

/// <summary>
/// The one way to the device once the agent serves several inbound lanes at a time: the hardware plays one batch
/// at a time, and a caller waiting with <see cref="ForwardAsync"/> (inference, the model store) is always let in
/// before one waiting with <see cref="ForwardInBackgroundAsync"/> (PAT slices), so inference waits for at most the
/// device call in progress.
/// </summary>
public sealed class DeviceGate : IPhysicalDevice
{
    private readonly IPhysicalDevice _inner;
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _foreground = new();
    private readonly Queue<TaskCompletionSource> _background = new();
    private bool _busy;

    /// <summary>
    /// Puts the gate in front of <paramref name="inner"/>; every caller of the device must go through it.
    /// </summary>
    public DeviceGate(IPhysicalDevice inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public LayerSpec Spec => _inner.Spec;

    /// <inheritdoc />
    public string DeviceId => _inner.DeviceId;

    /// <summary>The device behind the gate.</summary>
    public IPhysicalDevice Inner => _inner;

    /// <summary>Callers waiting for the device with foreground priority (inference) right now.</summary>
    public int ForegroundWaiting
    {
        get
        {
            lock (_lock)
            {
                return _foreground.Count(waiter => !waiter.Task.IsCompleted);
            }
        }
    }

    /// <summary>Plays the drives with foreground priority: ahead of every background caller waiting.</summary>
    public ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        => PlayAsync(_foreground, drives, responses, cancellationToken);

    /// <summary>
    /// Takes the device with foreground priority for several calls in a row (one classification's stages), so no PAT
    /// slice slips in between them; on a device without a gate the lease just plays on it.
    /// </summary>
    public static async ValueTask<DeviceLease> LeaseAsync(IPhysicalDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device is not DeviceGate gate)
        {
            return new DeviceLease(device, null);
        }

        await gate.EnterAsync(gate._foreground, cancellationToken).ConfigureAwait(false);
        return new DeviceLease(gate._inner, gate);
    }

    /// <summary>Plays the drives when no foreground caller is waiting (PAT work, in slices).</summary>
    public ValueTask ForwardInBackgroundAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        => PlayAsync(_background, drives, responses, cancellationToken);

    private async ValueTask PlayAsync(
        Queue<TaskCompletionSource> queue,
        ReadOnlyMemory<float> drives,
        Memory<float> responses,
        CancellationToken cancellationToken)
    {
        await EnterAsync(queue, cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.ForwardAsync(drives, responses, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Leave();
        }
    }

    private async ValueTask EnterAsync(Queue<TaskCompletionSource> queue, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (!_busy)
            {
                _busy = true;
                return;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            queue.Enqueue(waiter);
        }

        // A cancelled waiter stays queued, completed; Leave skips it.
        using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Gives the device to the next waiter (called by a lease when it ends).</summary>
    internal void Leave()
    {
        lock (_lock)
        {
            while (_foreground.Count > 0 || _background.Count > 0)
            {
                var next = _foreground.Count > 0 ? _foreground.Dequeue() : _background.Dequeue();
                if (next.TrySetResult())
                {
                    return;
                }
            }

            _busy = false;
        }
    }
}

/// <summary>
/// The device held by one caller for several calls; disposing it gives the device to the next waiter.
/// </summary>
public sealed class DeviceLease : IAsyncDisposable
{
    private readonly IPhysicalDevice _device;
    private readonly DeviceGate? _gate;
    private int _released;

    internal DeviceLease(IPhysicalDevice device, DeviceGate? gate) => (_device, _gate) = (device, gate);

    /// <summary>Plays the drives on the held device.</summary>
    public ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        return _device.ForwardAsync(drives, responses, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _gate?.Leave();
        }

        return ValueTask.CompletedTask;
    }
}
