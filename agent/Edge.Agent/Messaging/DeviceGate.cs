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

    /// <summary>Puts the gate in front of <paramref name="inner"/>; every caller of the device must go through it.</summary>
    public DeviceGate(IPhysicalDevice inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public LayerSpec Spec => _inner.Spec;

    /// <inheritdoc />
    public string DeviceId => _inner.DeviceId;

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
    public ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        => PlayAsync(_foreground, drives, responses, cancellationToken);

    /// <summary>Plays the drives when no foreground caller is waiting (PAT work, in slices).</summary>
    public ValueTask ForwardInBackgroundAsync(ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        => PlayAsync(_background, drives, responses, cancellationToken);

    private async ValueTask PlayAsync(Queue<TaskCompletionSource> queue, ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken)
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

    private void Leave()
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
