using Edge.Domain.Devices;
using Edge.Domain.Specs;

namespace Edge.Agent.Tests.Messaging;

/// <summary>
/// A device whose calls of at least <c>heldFromDrives</c> drives wait in the device until the test lets them go, one
/// at a time, while it holds; smaller calls (inference, calibration) pass straight through to the real device.
/// Counts the held calls that entered and finished, so tests measure waiting in device calls, not in seconds.
/// </summary>
internal sealed class HeldDevice(IPhysicalDevice inner, int heldFromDrives) : IPhysicalDevice, IDisposable
{
    private readonly SemaphoreSlim _entered = new(0);
    private readonly SemaphoreSlim _go = new(0);
    private int _finished;
    private volatile bool _holding = true;

    public LayerSpec Spec => inner.Spec;

    public string DeviceId => inner.DeviceId;

    /// <summary>Held calls that have finished.</summary>
    public int Finished => Volatile.Read(ref _finished);

    /// <summary>Sizes (in drives) of every call the device made, in order.</summary>
    public List<int> Calls { get; } = [];

    public async ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
    {
        var count = drives.Length / Spec.DriveLength;
        lock (Calls)
        {
            Calls.Add(count);
        }

        if (_holding && count >= heldFromDrives)
        {
            _entered.Release();
            await _go.WaitAsync(cancellationToken);
            await inner.ForwardAsync(drives, responses, cancellationToken);
            Interlocked.Increment(ref _finished);
            return;
        }

        await inner.ForwardAsync(drives, responses, cancellationToken);
    }

    /// <summary>Waits until a held call is in the device.</summary>
    public async Task WaitEnteredAsync()
    {
        if (!await _entered.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken))
        {
            Assert.Fail("no held call reached the device");
        }
    }

    /// <summary>Lets one held call finish.</summary>
    public void LetOneGo() => _go.Release();

    /// <summary>Stops holding and lets every waiting call go.</summary>
    public void LetAllGo()
    {
        _holding = false;
        _go.Release(1000);
    }

    public void Dispose()
    {
        _entered.Dispose();
        _go.Dispose();
    }
}
