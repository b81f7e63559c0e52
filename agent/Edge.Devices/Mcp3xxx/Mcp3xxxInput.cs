using System.Device.Spi;
using Edge.Devices.Analog;

namespace Edge.Devices.Adc;

/// <summary>
/// One single-ended MCP3008 (10-bit) or MCP3208 (12-bit) input as a code source for the layer backends, read
/// through the dotnet/iot binding (<see cref="Iot.Device.Adc.Mcp3xxx"/>, package Iot.Device.Bindings): one 3-byte
/// transfer per sample. Codes span 0 … 2^bits − 1 over 0 … V_REF.
/// </summary>
public sealed class Mcp3xxxInput : IAdcChannel, IDisposable
{
    private const int Channels = 8;
    private readonly SpiDevice _device;
    private readonly int _channel;

    private Mcp3xxxInput(Iot.Device.Adc.Mcp3xxx chip, SpiDevice device, int channel, int bits)
    {
        Chip = chip;
        _device = device;
        _channel = channel;
        MaxCode = (1 << bits) - 1;
    }

    /// <summary>The binding itself, for reads this view does not cover (differential pairs).</summary>
    public Iot.Device.Adc.Mcp3xxx Chip { get; }

    /// <inheritdoc />
    public int MinCode => 0;

    /// <inheritdoc />
    public int MaxCode { get; }

    /// <summary>Samples per second the SPI clock allows: one 24-clock transfer plus ≈ 2 µs of spidev
    /// overhead.</summary>
    public double MaxSampleRateHz => 1.0 / ((24.0 / _device.ConnectionSettings.ClockFrequency) + 2e-6);

    /// <summary>Input CH<paramref name="channel"/> of an MCP3008 (10-bit, up to 3.6 MHz SPI clock at 5 V).</summary>
    /// <param name="device">The SPI device (mode 0,0 or 1,1); disposed with this input.</param>
    /// <param name="channel">The input, 0–7.</param>
    /// <exception cref="ArgumentException">The SPI clock is above the datasheet limit.</exception>
    public static Mcp3xxxInput Mcp3008(SpiDevice device, int channel)
        => Open(device, channel, 10, 3_600_000, static spi => new Iot.Device.Adc.Mcp3008(spi));

    /// <summary>Input CH<paramref name="channel"/> of an MCP3208 (12-bit, up to 2 MHz SPI clock at 5 V).</summary>
    /// <param name="device">The SPI device (mode 0,0 or 1,1); disposed with this input.</param>
    /// <param name="channel">The input, 0–7.</param>
    /// <exception cref="ArgumentException">The SPI clock is above the datasheet limit.</exception>
    public static Mcp3xxxInput Mcp3208(SpiDevice device, int channel)
        => Open(device, channel, 12, 2_000_000, static spi => new Iot.Device.Adc.Mcp3208(spi));

    /// <inheritdoc />
    public int Read() => Chip.Read(_channel);

    /// <inheritdoc />
    public void Dispose() => Chip.Dispose();

    private static Mcp3xxxInput Open(
        SpiDevice device, int channel, int bits, int maxClockHz, Func<SpiDevice, Iot.Device.Adc.Mcp3xxx> create)
    {
        ArgumentNullException.ThrowIfNull(device);
        var part = bits == 10 ? "MCP3008" : "MCP3208";
        if ((uint)channel >= Channels)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"{part} has channels 0–{Channels - 1}.");
        }

        // The binding does not check the clock; above the limit the chip returns garbage without an error.
        if (device.ConnectionSettings.ClockFrequency > maxClockHz)
        {
            throw new ArgumentException(
                $"{part} runs at up to {maxClockHz / 1e6:0.##} MHz (5 V); the SPI device is set to "
                + $"{device.ConnectionSettings.ClockFrequency} Hz.",
                nameof(device));
        }

        return new Mcp3xxxInput(create(device), device, channel, bits);
    }
}
