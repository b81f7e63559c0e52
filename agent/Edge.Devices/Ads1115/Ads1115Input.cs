using System.Device.I2c;
using Edge.Devices.Analog;
using Iot.Device.Ads1115;

namespace Edge.Devices.Adc;

/// <summary>
/// One ADS1115 input as a code source for the layer backends, read through the dotnet/iot binding
/// (<see cref="Iot.Device.Ads1115.Ads1115"/>, package Iot.Device.Bindings) in single-shot mode: each
/// <see cref="Read"/> starts a conversion, waits for the OS bit and reads the conversion register.
/// </summary>
public sealed class Ads1115Input : IAdcChannel, IDisposable
{
    private readonly I2cDevice _device;

    /// <summary>Opens the chip on <paramref name="device"/> and selects <paramref name="input"/>.</summary>
    /// <param name="device">The I2C device at the chip's address (0x48–0x4B); disposed with this input.</param>
    /// <param name="input">The input (single-ended AINn or a differential pair).</param>
    /// <param name="range">The programmable gain amplifier's full-scale range.</param>
    /// <param name="rate">Conversions per second.</param>
    /// <exception cref="IOException">The chip does not acknowledge its address.</exception>
    public Ads1115Input(
        I2cDevice device,
        InputMultiplexer input,
        MeasuringRange range = MeasuringRange.FS4096,
        DataRate rate = DataRate.SPS860)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (!Enum.IsDefined(input))
        {
            throw new ArgumentOutOfRangeException(nameof(input), input, "ADS1115 MUX must be one of the eight inputs.");
        }

        Input = input;
        Chip = new Iot.Device.Ads1115.Ads1115(device, input, range, rate, DeviceMode.PowerDown);
    }

    /// <summary>The binding itself, for settings this view does not cover (range, rate, comparator).</summary>
    public Iot.Device.Ads1115.Ads1115 Chip { get; }

    /// <summary>The input this view reads.</summary>
    public InputMultiplexer Input { get; }

    /// <inheritdoc />
    /// <remarks>Single-ended inputs cannot go below ground: their span starts at code 0.</remarks>
    public int MinCode => Input >= InputMultiplexer.AIN0 ? 0 : short.MinValue;

    /// <inheritdoc />
    public int MaxCode => short.MaxValue;

    /// <inheritdoc />
    public double MaxSampleRateHz => Chip.FrequencyFromDataRate(Chip.DataRate);

    /// <inheritdoc />
    /// <exception cref="TimeoutException">The conversion did not finish (the binding polls the OS bit ≈ 10
    /// ms).</exception>
    public int Read() => Chip.ReadRaw(Input);

    /// <summary>
    /// Resets the comparator and releases the bus. The binding's reset retries a chip that does not answer and then
    /// throws before it releases the device; a chip that is gone cannot be reset, so the device is released anyway.
    /// </summary>
    public void Dispose()
    {
        try
        {
            Chip.Dispose();
        }
        catch (IOException)
        {
            _device.Dispose();
        }
    }
}
