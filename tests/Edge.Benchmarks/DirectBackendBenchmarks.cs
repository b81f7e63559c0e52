using BenchmarkDotNet.Attributes;
using Edge.Devices.Adc;
using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using Edge.Devices.Layers;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Iot.Device.Ads1115;

namespace Edge.Benchmarks;

/// <summary>
/// Software cost of the Direct backend per Duffing drive (24 DAC writes, 240 ADC samples) through the real chip drivers
/// against the register-level emulators on a virtual clock — what the Pi's CPU spends besides waiting for the layer.
/// On hardware a Duffing drive lasts 12 s of wall time; the figure here bounds the host-side overhead.
/// </summary>
[MemoryDiagnoser]
public class DirectBackendBenchmarks
{
    private readonly float[] _drive = new float[24];
    private readonly float[] _response = new float[12];
    private DirectLayerDevice _spiPair = null!;
    private DirectLayerDevice _i2cPair = null!;

    [GlobalSetup]
    public void Setup()
    {
        var noise = new NoiseSource(3);
        for (var i = 0; i < _drive.Length; i++)
        {
            _drive[i] = (float)noise.NextUniform(-1, 1);
        }

        var part = DuffingSystem.Instance.CreateDevice("bench", 1, Imperfections.None);
        var physics = (ISampledPhysics)part.Physics;

        var spiClock = new VirtualClock();
        var spiBench = new AnalogBench(physics, part.PartCoefficients, spiClock, 3.3 * 4095 / 4096, 3.3);
        var mcp4922 = new Mcp4922Emulator(spiClock);
        mcp4922.Connect(0, spiBench.Drive);
        var mcp3208 = new Mcp3xxxEmulator(spiClock, 12);
        mcp3208.Connect(0, spiBench.Response);
        _spiPair = new DirectLayerDevice(part.Spec, "spi", new Mcp4922(mcp4922).Channel(Mcp4922Channel.A),
            Mcp3xxxInput.Mcp3208(mcp3208, 0), spiClock);

        var i2cClock = new VirtualClock();
        var i2cBench = new AnalogBench(physics, part.PartCoefficients, i2cClock, 3.3 * 4095 / 4096, 4.096);
        var mcp4725 = new Mcp4725Emulator(i2cClock);
        mcp4725.Connect(i2cBench.Drive);
        var ads1115 = new Ads1115Emulator(i2cClock);
        ads1115.Connect(0, i2cBench.Response);
        var adc = new Ads1115Input(ads1115, InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS860);
        _i2cPair = new DirectLayerDevice(part.Spec, "i2c", new Mcp4725(mcp4725, i2cClock), adc, i2cClock);
    }

    /// <summary>MCP4922 + MCP3208 on SPI.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask SpiPair() => _spiPair.ForwardAsync(_drive, _response);

    /// <summary>MCP4725 + ADS1115 (single-shot, polled) on I2C.</summary>
    [Benchmark]
    public ValueTask I2cPair() => _i2cPair.ForwardAsync(_drive, _response);
}
