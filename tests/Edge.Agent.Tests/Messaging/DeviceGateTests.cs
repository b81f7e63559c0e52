using Edge.Agent.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Agent.Tests.Messaging;

/// <summary>
/// The device gate: one call in the device at a time, foreground (inference) callers ahead of background (PAT).
/// </summary>
public sealed class DeviceGateTests
{
    [Fact]
    public async Task A_waiting_foreground_call_goes_before_background_calls_that_waited_longer()
    {
        using var device = new HeldDevice(Simulated("gate-0001"), heldFromDrives: 1);
        var gate = new DeviceGate(device);
        var spec = gate.Spec;
        var cancel = TestContext.Current.CancellationToken;

        // Each caller plays a different number of drives, so the device's call log names who got in when.
        ValueTask Play(int drives, bool foreground)
        {
            var (played, measured) = (new float[drives * spec.DriveLength], new float[drives * spec.OutputSize]);
            return foreground
                ? gate.ForwardAsync(played, measured, cancel)
                : gate.ForwardInBackgroundAsync(played, measured, cancel);
        }

        var first = Play(1, foreground: false).AsTask();
        await device.WaitEnteredAsync();
        var second = Play(3, foreground: false).AsTask();
        var third = Play(4, foreground: false).AsTask();
        var inference = Play(2, foreground: true).AsTask();
        Assert.Equal(1, gate.ForegroundWaiting);

        for (var i = 0; i < 4; i++)
        {
            device.LetOneGo();
            if (i < 3)
            {
                await device.WaitEnteredAsync();
            }
        }

        await Task.WhenAll(first, second, third, inference);
        Assert.Equal([1, 2, 3, 4], device.Calls);
    }

    [Fact]
    public async Task A_lease_keeps_the_device_for_all_its_calls_while_pat_waits()
    {
        using var device = new HeldDevice(Simulated("gate-0003"), heldFromDrives: 3);
        var gate = new DeviceGate(device);
        var spec = gate.Spec;
        var token = TestContext.Current.CancellationToken;

        var lease = await DeviceGate.LeaseAsync(gate, token);
        var pat = gate.ForwardInBackgroundAsync(new float[3 * spec.DriveLength], new float[3 * spec.OutputSize], token);
        await lease.ForwardAsync(new float[spec.DriveLength], new float[spec.OutputSize], token);
        var second = lease.ForwardAsync(new float[2 * spec.DriveLength], new float[2 * spec.OutputSize], token);
        await second.AsTask().WaitAsync(TimeSpan.FromSeconds(20), token);
        Assert.Equal([1, 2], device.Calls);
        await lease.DisposeAsync();

        await device.WaitEnteredAsync();
        device.LetOneGo();
        await pat;
        Assert.Equal([1, 2, 3], device.Calls);
        await Assert.ThrowsAsync<ObjectDisposedException>(
            () => lease.ForwardAsync(new float[spec.DriveLength], new float[spec.OutputSize], token).AsTask());
    }

    [Fact]
    public async Task A_cancelled_waiter_does_not_take_the_device()
    {
        using var device = new HeldDevice(Simulated("gate-0002"), heldFromDrives: 1);
        var gate = new DeviceGate(device);
        var spec = gate.Spec;
        var token = TestContext.Current.CancellationToken;
        float[] Drive() => new float[spec.DriveLength];
        float[] Response() => new float[spec.OutputSize];
        var first = gate.ForwardInBackgroundAsync(Drive(), Response(), token).AsTask();
        await device.WaitEnteredAsync();
        using var cancel = new CancellationTokenSource();
        var abandoned = gate.ForwardAsync(Drive(), Response(), cancel.Token).AsTask();
        var next = gate.ForwardInBackgroundAsync(Drive(), Response(), token).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        device.LetOneGo();
        await device.WaitEnteredAsync();
        device.LetOneGo();
        await Task.WhenAll(first, next);
        Assert.Equal(2, device.Finished);
        Assert.Equal(0, gate.ForegroundWaiting);
    }

    private static SimulatedDevice Simulated(string id) => PhysicalSystems.Get("electronic").CreateDevice(id, 1);
}
