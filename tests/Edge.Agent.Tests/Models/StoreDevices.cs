using Edge.Domain.Devices;

namespace Edge.Agent.Tests.Models;

/// <summary>Passes every drive to a real simulated part and counts the device calls.</summary>
internal sealed class CountingDevice(IPhysicalDevice inner) : IPhysicalDevice
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Edge.Domain.Specs.LayerSpec Spec => inner.Spec;

    public string DeviceId => inner.DeviceId;

    public ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives,
        Memory<float> responses,
        CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.ForwardAsync(drives, responses, cancellationToken);
    }
}

/// <summary>
/// A real simulated part that, once armed, holds the next device call until released: a slow candidate validation
/// without any sleep. Calls after the held one pass straight through.
/// </summary>
internal sealed class GatedDevice(IPhysicalDevice inner) : IPhysicalDevice
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    /// <summary>Completes when a call is being held.</summary>
    public Task Held => _held.Task;

    public Edge.Domain.Specs.LayerSpec Spec => inner.Spec;

    public string DeviceId => inner.DeviceId;

    public void Arm() => Volatile.Write(ref _armed, 1);

    public void Release() => _release.TrySetResult();

    public async ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives,
        Memory<float> responses,
        CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _held.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await inner.ForwardAsync(drives, responses, cancellationToken).ConfigureAwait(false);
    }
}
