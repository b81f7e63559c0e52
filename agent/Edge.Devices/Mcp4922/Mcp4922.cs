using System.Device.Gpio;
using System.Device.Spi;
using Edge.Devices.Analog;

namespace Edge.Devices.Dac;

/// <summary>MCP4922 output channel (the A/B bit of the command word).</summary>
public enum Mcp4922Channel
{
    /// <summary>Output A (V_OUTA, reference V_REFA).</summary>
    A = 0,

    /// <summary>Output B (V_OUTB, reference V_REFB).</summary>
    B = 1,
}

/// <summary>
/// Microchip MCP4922: dual 12-bit DAC on SPI (mode 0,0 or 1,1, up to 20 MHz). Each 16-bit write is
/// A/B · BUF · GA · SHDN · D11…D0; V_OUT = V_REF · G · code / 4096. With an LDAC pin the outputs change only when LDAC
/// pulses low, so both channels can move at the same instant.
/// </summary>
public sealed class Mcp4922 : IDisposable
{
    /// <summary>Bit 15: write to DAC B when set, DAC A when clear.</summary>
    public const ushort ChannelSelectBit = 1 << 15;

    /// <summary>Bit 14 (BUF): buffer the V_REF input.</summary>
    public const ushort BufferedReferenceBit = 1 << 14;

    /// <summary>Bit 13 (GA): gain ×1 when set, ×2 when clear.</summary>
    public const ushort GainX1Bit = 1 << 13;

    /// <summary>Bit 12 (SHDN): output active when set, shut down (high impedance) when clear.</summary>
    public const ushort ActiveBit = 1 << 12;

    /// <summary>Resolution in bits.</summary>
    public const int Resolution = 12;

    /// <summary>Fastest SPI clock of the datasheet.</summary>
    public const int MaxClockFrequency = 20_000_000;

    private readonly SpiDevice _device;
    private readonly GpioController? _gpio;
    private readonly int _ldacPin;
    private readonly bool _shouldDispose;

    /// <summary>Creates a binding over <paramref name="device"/>.</summary>
    /// <param name="device">The SPI device (chip select wired to the chip's /CS).</param>
    /// <param name="gpio">Controller of the LDAC pin, or null when LDAC is tied low (outputs update on /CS
    /// rising).</param>
    /// <param name="ldacPin">GPIO pin number wired to /LDAC; ignored without <paramref name="gpio"/>.</param>
    /// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
    public Mcp4922(SpiDevice device, GpioController? gpio = null, int ldacPin = -1, bool shouldDispose = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (device.ConnectionSettings.ClockFrequency > MaxClockFrequency)
        {
            throw new
                ArgumentException($"MCP4922 runs at up to {MaxClockFrequency / 1_000_000} MHz; the SPI device is set "
                    + $"to {device.ConnectionSettings.ClockFrequency} Hz.", nameof(device));
        }

        if (gpio is not null)
        {
            if (ldacPin < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(ldacPin), ldacPin,
                    "An LDAC controller needs the pin number wired to /LDAC.");
            }

            _gpio = gpio;
            _ldacPin = ldacPin;
            _gpio.OpenPin(_ldacPin, PinMode.Output, PinValue.High);
        }

        _shouldDispose = shouldDispose;
    }

    /// <summary>Whether writes wait for <see cref="Latch"/> (an LDAC pin is wired).</summary>
    public bool HasLdac => _gpio is not null;

    /// <summary>Builds the 16-bit command word for one write.</summary>
    public static ushort CommandWord(Mcp4922Channel channel, int code, bool bufferedReference = false,
        bool gainX1 = true, bool active = true)
    {
        if (channel is not (Mcp4922Channel.A or Mcp4922Channel.B))
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "MCP4922 has outputs A and B.");
        }

        ConverterCodes.CheckCode(nameof(Mcp4922), code, Resolution);
        var word = code;
        word |= channel == Mcp4922Channel.B ? ChannelSelectBit : 0;
        word |= bufferedReference ? BufferedReferenceBit : 0;
        word |= gainX1 ? GainX1Bit : 0;
        word |= active ? ActiveBit : 0;
        return (ushort)word;
    }

    /// <summary>Writes one channel's input register (MSB first).</summary>
    public void Write(Mcp4922Channel channel, int code, bool bufferedReference = false, bool gainX1 = true)
    {
        var word = CommandWord(channel, code, bufferedReference, gainX1);
        Span<byte> frame = [(byte)(word >> 8), (byte)word];
        _device.Write(frame);
    }

    /// <summary>Shuts one output down (high impedance, 500 kΩ to ground).</summary>
    public void Shutdown(Mcp4922Channel channel)
    {
        var word = CommandWord(channel, 0, active: false);
        Span<byte> frame = [(byte)(word >> 8), (byte)word];
        _device.Write(frame);
    }

    /// <summary>Pulses /LDAC low so both outputs take their input registers at once (no-op when LDAC is tied
    /// low).</summary>
    public void Latch()
    {
        if (_gpio is null)
        {
            return;
        }

        // t_LS (LDAC pulse width) is 100 ns minimum; one GPIO write takes longer than that on a Pi.
        _gpio.Write(_ldacPin, PinValue.Low);
        _gpio.Write(_ldacPin, PinValue.High);
    }

    /// <summary>A view of one output as a code sink for layer backends (write, then latch).</summary>
    public IDacChannel Channel(Mcp4922Channel channel, bool bufferedReference = false, bool gainX1 = true)
    {
        _ = CommandWord(channel, 0, bufferedReference, gainX1);
        return new ChannelView(this, channel, bufferedReference, gainX1);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_gpio is not null && _gpio.IsPinOpen(_ldacPin))
        {
            _gpio.ClosePin(_ldacPin);
        }

        if (_shouldDispose)
        {
            _device.Dispose();
        }
    }

    private sealed class ChannelView(Mcp4922 chip, Mcp4922Channel channel, bool bufferedReference, bool gainX1)
        : IDacChannel
    {
        public int Bits => Resolution;

        // 16 clocks per word plus ≈ 1 µs of chip-select and driver overhead per transfer on Linux spidev.
        public double MaxUpdateRateHz => 1.0 / ((16.0 / chip._device.ConnectionSettings.ClockFrequency) + 1e-6);

        public void Write(int code)
        {
            chip.Write(channel, code, bufferedReference, gainX1);
            chip.Latch();
        }
    }
}
