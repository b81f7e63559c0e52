using Edge.Agent.Supervision;
using Edge.Agent.Tests.Inference;
using Edge.Devices.Emulation;
using Edge.Domain.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Supervision;

/// <summary>
/// Faults injected into the register-level chip emulators under the Direct backend: each is detected within its
/// documented bound (a failing call at once, stuck or saturated conversions on the third call in a row), the DAC is
/// parked at its safe code where it still answers, later calls fail fast, and the device comes back on its own once a
/// probe passes.
/// </summary>
public sealed class DeviceSupervisorTests
{
    private static readonly SupervisionOptions Fast = new() { FirstProbeMilliseconds = 20, MaxProbeMilliseconds = 200 };

    [Fact]
    public async Task A_stuck_mcp3208_parks_the_device_on_the_third_call_and_it_recovers_when_the_adc_converts_again()
    {
        var layer = EmulatedLayer.OnSpi("stuck-spi");
        await using var supervisor = Supervise(layer.Device, out var changes);
        await ForwardAsync(supervisor, seed: 1);

        layer.Mcp3208!.Fault = ConverterFault.Stuck;
        var parked = await TripOnSuspectCallsAsync(supervisor);

        Assert.Equal(DeviceFault.AdcStuck, parked.Trip.Fault);
        Assert.Contains("3 device calls in a row", parked.Message, StringComparison.Ordinal);
        Assert.Equal(layer.SafeVolts, layer.DacVolts, 9);
        await Assert.ThrowsAsync<DeviceParkedException>(() => ForwardAsync(supervisor, seed: 5));

        layer.Mcp3208.Fault = ConverterFault.None;
        await Poll.UntilAsync(() => !supervisor.IsParked, "the probe passes once the ADC converts");
        await ForwardAsync(supervisor, seed: 6);
        Assert.Equal([false, true], changes.Select(change => change.Recovered));
        Assert.Equal(layer.SafeVolts, layer.DacVolts, 9);
    }

    [Fact]
    public async Task A_saturated_ads1115_parks_the_device_on_the_third_call_and_probes_until_it_reads_again()
    {
        var layer = EmulatedLayer.OnI2c("saturated-i2c");
        await using var supervisor = Supervise(layer.Device, out var changes);
        await ForwardAsync(supervisor, seed: 1);

        layer.Ads1115!.Fault = ConverterFault.Saturated;
        var parked = await TripOnSuspectCallsAsync(supervisor);

        Assert.Equal(DeviceFault.AdcSaturated, parked.Trip.Fault);
        var conversions = layer.Ads1115.Conversions;
        await Poll.UntilAsync(() => layer.Ads1115.Conversions > conversions, "a probe plays while the fault lasts");
        Assert.True(supervisor.IsParked, "a probe on a saturated ADC fails");
        // Between probes the outputs sit at their safe values; a probe in flight may hold another code.
        await Poll.UntilAsync(
            () => layer.I2cDac!.Code == layer.Device.SafeCode, "the outputs are safe between probes");

        layer.Ads1115.Fault = ConverterFault.None;
        await Poll.UntilAsync(() => !supervisor.IsParked, "the probe passes once the ADC reads the layer again");
        Assert.Equal(2, changes.Count);
        Assert.True(changes[1].Downtime > TimeSpan.Zero);
    }

    [Fact]
    public async Task An_mcp4725_that_stops_acknowledging_parks_the_device_at_the_first_call_and_is_safe_on_return()
    {
        var layer = EmulatedLayer.OnI2c("nack-i2c");
        await using var supervisor = Supervise(layer.Device, out var changes);
        await ForwardAsync(supervisor, seed: 1);

        layer.I2cDac!.Unresponsive = true;
        var parked = await Assert.ThrowsAsync<DeviceParkedException>(() => ForwardAsync(supervisor, seed: 2));

        Assert.Equal(DeviceFault.DeviceError, parked.Trip.Fault);
        Assert.IsType<IOException>(parked.InnerException, exactMatch: false);
        Assert.Contains("did not acknowledge", parked.Message, StringComparison.Ordinal);
        Assert.Single(changes);

        layer.I2cDac.Unresponsive = false;
        await Poll.UntilAsync(() => !supervisor.IsParked, "the probe passes once the DAC acknowledges");
        Assert.Equal(layer.Device.SafeCode, layer.I2cDac.Code);
        await ForwardAsync(supervisor, seed: 3);
    }

    [Fact]
    public async Task After_each_failed_probe_the_outputs_are_back_at_their_safe_values_before_the_next_one()
    {
        // The device does not rest its outputs itself, so only the supervisor's parking brings them back.
        var device = new LatchingDevice(EmulatedLayer.System.Spec);
        await using var supervisor = Supervise(device, out _);
        await ForwardAsync(supervisor, seed: 1);
        device.ReadBackFails = true;
        await Assert.ThrowsAsync<DeviceParkedException>(() => ForwardAsync(supervisor, seed: 2));

        await Poll.UntilAsync(() => device.OutputAtCallStart().Length >= 5, "three probes fail");
        var probes = device.OutputAtCallStart()[2..];
        Assert.All(probes, output => Assert.Equal(LatchingDevice.SafeValue, output));

        device.ReadBackFails = false;
        await Poll.UntilAsync(() => !supervisor.IsParked, "the probe passes once the read-back answers");
        // A probe leaves the outputs off their safe values (so the check above could fail); a passing one stays.
        Assert.NotEqual(LatchingDevice.SafeValue, device.Output);
    }

    [Fact]
    public async Task Flat_drives_among_moving_ones_do_not_trip_and_a_disabled_supervisor_never_parks()
    {
        var layer = EmulatedLayer.OnSpi("moving-spi");
        await using var supervisor = Supervise(layer.Device, out var changes);
        layer.Mcp3208!.Fault = ConverterFault.Stuck;
        await ForwardAsync(supervisor, seed: 1);
        await ForwardAsync(supervisor, seed: 2);
        layer.Mcp3208.Fault = ConverterFault.None;
        await ForwardAsync(supervisor, seed: 3);
        layer.Mcp3208.Fault = ConverterFault.Stuck;
        await ForwardAsync(supervisor, seed: 4);
        await ForwardAsync(supervisor, seed: 5);
        Assert.Empty(changes);

        await using var off = new DeviceSupervisor(
            layer.Device,
            new SupervisionOptions { Enabled = false },
            TimeProvider.System,
            NullLogger<DeviceSupervisor>.Instance);
        for (var i = 0; i < 5; i++)
        {
            await ForwardAsync(off, seed: 10 + i);
        }

        Assert.False(off.IsParked);
    }

    /// <summary>
    /// Plays calls on a converter fault until the supervisor trips: the calls before the last pass, the last (the
    /// <see cref="SupervisionOptions.SuspectCallsToTrip"/>th) parks the device.
    /// </summary>
    private static async Task<DeviceParkedException> TripOnSuspectCallsAsync(DeviceSupervisor supervisor)
    {
        for (var call = 1; call < Fast.SuspectCallsToTrip; call++)
        {
            await ForwardAsync(supervisor, seed: 1 + call);
        }

        return await Assert.ThrowsAsync<DeviceParkedException>(
            () => ForwardAsync(supervisor, seed: 1 + Fast.SuspectCallsToTrip));
    }

    private static DeviceSupervisor Supervise(IPhysicalDevice device, out List<DeviceStateChange> changes)
    {
        var seen = new List<DeviceStateChange>();
        var supervisor = new DeviceSupervisor(device, Fast, TimeProvider.System, NullLogger<DeviceSupervisor>.Instance);
        supervisor.StateChanged += change =>
        {
            lock (seen)
            {
                seen.Add(change);
            }
        };
        changes = seen;
        return supervisor;
    }

    private static async Task ForwardAsync(DeviceSupervisor supervisor, int seed)
    {
        var responses = new float[supervisor.Spec.OutputSize];
        await supervisor.ForwardAsync(EmulatedLayer.Drive(seed), responses, TestContext.Current.CancellationToken);
    }
}
