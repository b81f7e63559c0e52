using Edge.Devices.Adc;
using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using Edge.Devices.Layers;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Domain.Simulation.Electronic;
using Iot.Device.Ads1115;

namespace Edge.Devices.Tests;

public sealed class DirectLayerDeviceTests
{
    // Long enough in virtual time for the Duffing layer (decay time 10 s) to come to rest between drives.
    private static readonly TimeSpan SettlingGap = TimeSpan.FromSeconds(400);

    [Fact]
    public async Task A_forward_through_emulated_mcp4922_circuit_and_mcp3208_equals_the_simulation_within_quantisation()
    {
        var (reference, drives) = Reference(drives: 3);
        var clock = new VirtualClock();
        var bench = new AnalogBench((ISampledPhysics)reference.Physics, reference.PartCoefficients, clock,
            3.3 * 4095 / 4096, 3.3);
        var dacChip = new Mcp4922Emulator(clock, referenceVoltsA: 3.3);
        dacChip.Connect(0, bench.Drive);
        var adcChip = new Mcp3xxxEmulator(clock, 12, referenceVolts: 3.3);
        adcChip.Connect(0, bench.Response);
        using var dac = new Mcp4922(dacChip);
        using var adc = Mcp3xxxInput.Mcp3208(adcChip, 0);
        using var layer = new DirectLayerDevice(reference.Spec, "bench-1", dac.Channel(Mcp4922Channel.A), adc, clock,
            SettlingGap);

        var measured = new float[3 * reference.Spec.OutputSize];
        await layer.ForwardAsync(drives, measured, TestContext.Current.CancellationToken);

        var expected = new float[measured.Length];
        reference.Forward(drives, expected);
        var lsb = (reference.Spec.Adc.Max - reference.Spec.Adc.Min) / 4095.0;
        for (var i = 0; i < measured.Length; i++)
        {
            Assert.True(Math.Abs(measured[i] - expected[i]) <= 1.5 * lsb,
                $"bin {i}: direct {measured[i]:F5}, simulated {expected[i]:F5}, more than 1.5 LSB apart");
        }

        Assert.Equal(reference.Spec.Adc.Bins * 20 * 3, layer.LastRun!.Samples);
        Assert.Equal(0, layer.LastRun.LateEvents);
    }

    [Fact]
    public async Task The_mcp4725_and_ads1115_pair_also_reproduces_the_simulation()
    {
        var (reference, drives) = Reference(drives: 2);
        var clock = new VirtualClock();
        var bench = new AnalogBench((ISampledPhysics)reference.Physics, reference.PartCoefficients, clock,
            5.0 * 4095 / 4096, 4.096 * 32767 / 32768);
        var dacChip = new Mcp4725Emulator(clock, supplyVolts: 5.0);
        dacChip.Connect(bench.Drive);
        var adcChip = new Ads1115Emulator(clock);
        adcChip.Connect(0, bench.Response);
        using var dac = new Mcp4725(dacChip, clock);
        using var adc = new Ads1115Input(adcChip, InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS860);
        using var layer = new DirectLayerDevice(reference.Spec, "bench-2", dac, adc, clock, SettlingGap);

        var measured = new float[2 * reference.Spec.OutputSize];
        await layer.ForwardAsync(drives, measured, TestContext.Current.CancellationToken);

        var expected = new float[measured.Length];
        reference.Forward(drives, expected);
        var lsb = (reference.Spec.Adc.Max - reference.Spec.Adc.Min) / 4095.0;
        for (var i = 0; i < measured.Length; i++)
        {
            Assert.True(Math.Abs(measured[i] - expected[i]) <= lsb,
                $"bin {i}: direct {measured[i]:F5}, simulated {expected[i]:F5}");
        }

        Assert.InRange(layer.LastRun!.AchievedSampleRateHz, 0.5 * 20, 20.0);

        // A DAC update due with a sample waits for that 860 SPS conversion (1.16 ms) and the bus transfers around it.
        Assert.True(layer.LastRun.MaxLateness < TimeSpan.FromMilliseconds(2),
            $"max lateness {layer.LastRun.MaxLateness}");
        Assert.Equal(0, layer.LastRun.LateEvents);
    }

    [Fact]
    public void A_layer_faster_than_the_chips_is_refused_with_a_pointer_to_the_bridge()
    {
        var clock = new VirtualClock();
        using var dac = new Mcp4922(new Mcp4922Emulator(clock));
        using var adc = Mcp3xxxInput.Mcp3208(new Mcp3xxxEmulator(clock, 12, clockFrequency: 2_000_000), 0);

        var error = Assert.Throws<ArgumentException>(()
            => new DirectLayerDevice(ElectronicSystem.LayerSpec, "fast", dac.Channel(Mcp4922Channel.A), adc, clock));

        Assert.Contains("1E+06 S/s", error.Message, StringComparison.Ordinal);
        Assert.Contains("bridge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bus_fault_mid_drive_propagates_and_leaves_the_dac_at_its_safe_value()
    {
        var clock = new VirtualClock();
        var dacChip = new Mcp4922Emulator(clock);
        var adcChip = new Mcp3xxxEmulator(clock, 12);
        using var dac = new Mcp4922(dacChip);
        using var adc = Mcp3xxxInput.Mcp3208(adcChip, 0);
        using var layer = new DirectLayerDevice(DuffingSystem.LayerSpec, "fault", dac.Channel(Mcp4922Channel.A), adc,
            clock);
        var drive = new float[DuffingSystem.LayerSpec.DriveLength];
        Array.Fill(drive, 0.9f);
        adcChip.FailNextTransfers = 1;

        await Assert.ThrowsAsync<IOException>(async ()
            => await layer.ForwardAsync(drive, new float[12], TestContext.Current.CancellationToken));

        Assert.Equal(3.3 * layer.SafeCode / 4096, dacChip.OutputVolts(0), 12);
        Assert.Equal(2048, layer.SafeCode);
    }

    [Fact]
    public async Task Cancellation_and_a_wrong_batch_shape_are_reported()
    {
        var clock = new VirtualClock();
        using var dac = new Mcp4922(new Mcp4922Emulator(clock));
        using var adc = Mcp3xxxInput.Mcp3208(new Mcp3xxxEmulator(clock, 12), 0);
        using var layer = new DirectLayerDevice(DuffingSystem.LayerSpec, "shape", dac.Channel(Mcp4922Channel.A), adc,
            clock);

        await Assert.ThrowsAsync<ArgumentException>(async ()
            => await layer.ForwardAsync(new float[5], new float[12], TestContext.Current.CancellationToken));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async ()
            => await layer.ForwardAsync(new float[24], new float[12], cancelled.Token));
    }

    private static (SimulatedDevice Device, float[] Drives) Reference(int drives)
    {
        // Noise-free, and quantised on the DAC side exactly as the 12-bit chip does; the ADC comparison allows its LSB.
        var imperfections = Imperfections.None with { DacQuantisation = true };
        var system = DuffingSystem.Instance;
        var device = system.CreateDevice("bench-part", seed: 7, imperfections);
        var random = new Random(11);
        var values = new float[drives * system.Spec.DriveLength];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return (device, values);
    }
}
