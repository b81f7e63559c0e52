using Edge.Bridge.Firmware;
using Edge.Devices.Emulation;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

namespace Edge.Bridge.Emulator;

/// <summary>
/// The emulated ESP32 board: a 12-bit DAC and a 12-bit ADC (both on a 3.3 V reference) wired to the layer circuit of a
/// simulated part on the analog bench, and a high-resolution timer on the bench's virtual clock.
/// </summary>
public sealed class BenchBoard : IDacDriver, IAdcDriver, ITickClock
{
    /// <summary>Converter resolution of the board.</summary>
    public const int ConverterBits = 12;

    private const double ReferenceVolts = 3.3;
    private readonly AnalogBench _bench;
    private readonly VirtualClock _clock = new();
    private readonly double _codeVolts = ReferenceVolts / (1 << ConverterBits);
    private readonly ConverterNonlinearity? _adcError;

    /// <summary>
    /// Builds the board around the noise-free part <paramref name="deviceId"/> of <paramref name="system"/>: its own
    /// component values, spread around the datasheet as the simulated backend spreads them for that id.
    /// </summary>
    /// <param name="system">The layer wired to the board.</param>
    /// <param name="deviceId">The part: fixes its component values (and, in the field profile, its ADC error).</param>
    /// <param name="seed">Seed of the part.</param>
    /// <param name="profile">
    /// <see cref="DeviceProfile.Field"/> gives the board's ADC the ESP32's integral and differential non-linearity
    /// (<see cref="ConverterNonlinearity.Esp32Adc"/>); lab converters are ideal.
    /// </param>
    /// <exception cref="ArgumentException">The system's physics cannot run sample by sample.</exception>
    public BenchBoard(IPhysicalSystem system, string deviceId, ulong seed, DeviceProfile profile = DeviceProfile.Lab)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.Physics is not ISampledPhysics physics)
        {
            throw new
                ArgumentException($"The '{system.Name}' layer is not a sampled circuit; the bridge emulator runs "
                    + "electronic, mechanical and duffing layers.", nameof(system));
        }

        var spread = system.DefaultImperfections.PartSpread;
        var part = system.CreateDevice(deviceId, seed, Imperfections.None with { PartSpread = spread });
        var maxCode = (1 << ConverterBits) - 1;
        _bench = new AnalogBench(physics, part.PartCoefficients, _clock, maxCode * _codeVolts, ReferenceVolts);
        _adcError = profile == DeviceProfile.Field ? ConverterNonlinearity.Esp32Adc(deviceId) : null;
    }

    /// <summary>Number of DAC and ADC channels (the layer is wired to channel 0 of each).</summary>
    public int Channels => 2;

    /// <inheritdoc />
    public int Bits => ConverterBits;

    /// <inheritdoc />
    public long Ticks => _clock.GetTimestamp();

    /// <inheritdoc />
    public long TicksPerSecond => _clock.TimestampFrequency;

    /// <summary>Lets the circuit rest (at whatever the DAC holds) for <paramref name="seconds"/> of virtual
    /// time.</summary>
    public void Rest(double seconds) => _clock.Advance(seconds);

    /// <inheritdoc />
    public void WaitUntil(long ticks) => _clock.WaitUntil(ticks);

    /// <inheritdoc />
    public void Write(int channel, int code)
    {
        if (channel == 0)
        {
            _bench.Drive.SetVolts(code * _codeVolts);
        }
    }

    /// <inheritdoc />
    public int Read(int channel)
    {
        if (channel != 0)
        {
            return 0;
        }

        var maxCode = (1 << ConverterBits) - 1;
        var ideal = _bench.Response.ReadVolts() / _codeVolts;
        if (_adcError is not null)
        {
            var rawCode = (int)Math.Clamp(Math.Floor(ideal), 0, maxCode);
            ideal += _adcError.ErrorLsb((2.0 * rawCode / maxCode) - 1, rawCode);
        }

        return (int)Math.Clamp(Math.Floor(ideal), 0, maxCode);
    }
}
