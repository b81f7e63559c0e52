using System.Device.Spi;
using Edge.Devices.Analog;

namespace Edge.Devices.Adc;

/// <summary>How an MCP3xxx input is measured.</summary>
public enum Mcp3xxxInput
{
    /// <summary>The channel against ground (SGL/DIFF = 1).</summary>
    SingleEnded,

    /// <summary>A channel pair (SGL/DIFF = 0): pair n is CH(2n)+ / CH(2n+1)− for even codes, reversed for odd ones.</summary>
    Differential,
}

/// <summary>
/// The Microchip MCP3xxx successive-approximation ADC family on SPI: a start bit, SGL/DIFF and D2…D0 select the input,
/// then the chip clocks out a null bit and the result MSB first. Codes span 0 … 2^bits − 1 over 0 … V_REF.
/// </summary>
public abstract class Mcp3xxx : IDisposable
{
    private readonly SpiDevice _device;
    private readonly bool _shouldDispose;

    /// <summary>Creates a binding over <paramref name="device"/>.</summary>
    /// <param name="device">The SPI device (mode 0,0 or 1,1).</param>
    /// <param name="channels">Number of single-ended inputs.</param>
    /// <param name="bits">Resolution.</param>
    /// <param name="maxClockFrequency">Fastest SPI clock of the datasheet at 5 V.</param>
    /// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
    protected Mcp3xxx(SpiDevice device, int channels, int bits, int maxClockFrequency, bool shouldDispose)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (device.ConnectionSettings.ClockFrequency > maxClockFrequency)
        {
            throw new ArgumentException($"{GetType().Name} runs at up to {maxClockFrequency / 1e6:0.##} MHz (5 V); the SPI device is set to {device.ConnectionSettings.ClockFrequency} Hz.", nameof(device));
        }

        ChannelCount = channels;
        Resolution = bits;
        _shouldDispose = shouldDispose;
    }

    /// <summary>Number of single-ended inputs.</summary>
    public int ChannelCount { get; }

    /// <summary>Resolution in bits.</summary>
    public int Resolution { get; }

    /// <summary>Largest code.</summary>
    public int MaxCode => (1 << Resolution) - 1;

    /// <summary>Samples per second the SPI clock allows: one 24-clock transfer plus ≈ 2 µs of spidev overhead.</summary>
    public double MaxSampleRateHz => 1.0 / ((24.0 / _device.ConnectionSettings.ClockFrequency) + 2e-6);

    /// <summary>Converts one input and returns its code.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such channel (or pair, for differential input).</exception>
    public int Read(int channel, Mcp3xxxInput input = Mcp3xxxInput.SingleEnded)
    {
        if ((uint)channel >= (uint)ChannelCount || input is not (Mcp3xxxInput.SingleEnded or Mcp3xxxInput.Differential))
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"{GetType().Name} has channels 0–{ChannelCount - 1} ({input}).");
        }

        Span<byte> command = stackalloc byte[3];
        Span<byte> reply = stackalloc byte[3];
        EncodeCommand(channel, input == Mcp3xxxInput.SingleEnded, command);
        _device.TransferFullDuplex(command, reply);
        return DecodeReply(reply);
    }

    /// <summary>Volts of <paramref name="code"/> for reference <paramref name="referenceVolts"/>: V_REF · code / 2^bits.</summary>
    public double ToVolts(int code, double referenceVolts) => referenceVolts * code / (1 << Resolution);

    /// <summary>Writes the 3 command bytes that select <paramref name="channel"/>.</summary>
    public abstract void EncodeCommand(int channel, bool singleEnded, Span<byte> command);

    /// <summary>Extracts the code from the 3 bytes clocked out.</summary>
    public abstract int DecodeReply(ReadOnlySpan<byte> reply);

    /// <summary>A view of one single-ended input as a code source for layer backends.</summary>
    public IAdcChannel Channel(int channel)
    {
        if ((uint)channel >= (uint)ChannelCount)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"{GetType().Name} has channels 0–{ChannelCount - 1}.");
        }

        return new ChannelView(this, channel);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the SPI device when this binding owns it.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _shouldDispose)
        {
            _device.Dispose();
        }
    }

    private sealed class ChannelView(Mcp3xxx chip, int channel) : IAdcChannel
    {
        public int MinCode => 0;

        public int MaxCode => chip.MaxCode;

        public double MaxSampleRateHz => chip.MaxSampleRateHz;

        public int Read() => chip.Read(channel);
    }
}
