using System.Device.Spi;

namespace Edge.Devices.Adc;

/// <summary>Microchip MCP3008: 10-bit, 8-channel SAR ADC on SPI, 200 kS/s at 5 V (3.6 MHz clock).</summary>
/// <param name="device">The SPI device.</param>
/// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
public sealed class Mcp3008(SpiDevice device, bool shouldDispose = true) : Mcp3xxx(device, 8, 10, 3_600_000, shouldDispose)
{
    /// <summary>First byte: seven leading zeros and the start bit (datasheet figure 6-1).</summary>
    public const byte StartByte = 0x01;

    /// <inheritdoc />
    public override void EncodeCommand(int channel, bool singleEnded, Span<byte> command)
    {
        command[0] = StartByte;
        command[1] = (byte)(((singleEnded ? 1 : 0) << 7) | (channel << 4));
        command[2] = 0;
    }

    /// <inheritdoc />
    public override int DecodeReply(ReadOnlySpan<byte> reply) => ((reply[1] & 0x03) << 8) | reply[2];
}
