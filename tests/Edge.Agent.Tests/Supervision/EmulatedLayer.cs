using Edge.Devices.Adc;
using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using Edge.Devices.Layers;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Iot.Device.Ads1115;

namespace Edge.Agent.Tests.Supervision;

/// <summary>
/// The Duffing layer on register-level chip emulators, as the emulated backend builds it, with the chips at hand so a
/// test can inject faults: an I2C pair (MCP4725 + ADS1115) or an SPI pair (MCP4922 + MCP3208).
/// </summary>
internal sealed class EmulatedLayer
{
    private EmulatedLayer(DirectLayerDevice device, Func<double> dacVolts)
        => (Device, _dacVolts) = (device, dacVolts);

    private readonly Func<double> _dacVolts;

    public DirectLayerDevice Device { get; }

    public Mcp4725Emulator? I2cDac { get; private init; }

    public Ads1115Emulator? Ads1115 { get; private init; }

    public Mcp3xxxEmulator? Mcp3208 { get; private init; }

    /// <summary>The DAC's output voltage now.</summary>
    public double DacVolts => _dacVolts();

    /// <summary>The voltage the safe code gives.</summary>
    public double SafeVolts => Device.SafeCode * 3.3 / 4096;

    public static IPhysicalSystem System => PhysicalSystems.Get("duffing");

    public static EmulatedLayer OnI2c(string deviceId)
    {
        var (clock, bench) = Bench(deviceId, 4.096 * 32767 / 32768);
        var dac = new Mcp4725Emulator(clock, 3.3);
        dac.Connect(bench.Drive);
        var adc = new Ads1115Emulator(clock);
        adc.Connect(0, bench.Response);
        var device = new DirectLayerDevice(
            System.Spec, deviceId, new Mcp4725(dac, clock), new Ads1115Input(adc, InputMultiplexer.AIN0), clock);
        return new EmulatedLayer(device, () => dac.OutputVolts) { I2cDac = dac, Ads1115 = adc };
    }

    public static EmulatedLayer OnSpi(string deviceId)
    {
        var (clock, bench) = Bench(deviceId, 3.3);
        var dac = new Mcp4922Emulator(clock, 3.3, 3.3, 3.3, 10_000_000);
        dac.Connect(0, bench.Drive);
        var adc = new Mcp3xxxEmulator(clock, 12, 3.3, 1_000_000);
        adc.Connect(0, bench.Response);
        var device = new DirectLayerDevice(
            System.Spec, deviceId, new Mcp4922(dac).Channel(Mcp4922Channel.A), Mcp3xxxInput.Mcp3208(adc, 0), clock);
        return new EmulatedLayer(device, () => dac.OutputVolts(0)) { Mcp3208 = adc };
    }

    /// <summary>A drive spread over the layer's ranges, different for every <paramref name="seed"/>.</summary>
    public static float[] Drive(int seed, int drives = 1)
    {
        var spec = System.Spec;
        var random = new Random(seed);
        var drive = new float[drives * spec.DriveLength];
        for (var i = 0; i < drive.Length; i++)
        {
            var range = spec.SegmentRange(i % spec.DriveLength);
            drive[i] = (float)(range.Lo + ((range.Hi - range.Lo) * random.NextDouble()));
        }

        return drive;
    }

    private static (VirtualClock Clock, AnalogBench Bench) Bench(string deviceId, double adcFullScale)
    {
        var system = System;
        var part = system.CreateDevice(deviceId, 1, Imperfections.None);
        var clock = new VirtualClock();
        var bench = new AnalogBench(
            (ISampledPhysics)system.Physics, part.PartCoefficients, clock, 3.3 * 4095 / 4096, adcFullScale);
        return (clock, bench);
    }
}
