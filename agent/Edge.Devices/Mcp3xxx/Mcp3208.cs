using System.Device.Spi;

namespace Edge.Devices.Adc;

/// <summary>Microchip MCP3208: 12-bit, 8-channel SAR ADC on SPI, 100 kS/s at 5 V (2 MHz clock).</summary>
/// <param name="device">The SPI device.</param>
/// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
public sealed class Mcp3208(SpiDevice device, bool shouldDispose = true) : Mcp3xxx(device, 8, 12, 2_000_000, shouldDispose)
{
    /// <summary>Start bit position in the first byte: five leading zeros, start, SGL/DIFF, D2 (datasheet figure 6-1).</summary>
    public const byte StartBit = 0x04;

    /// <inheritdoc />
    public override void EncodeCommand(int channel, bool singleEnded, Span<byte> command)
    {
        command[0] = (byte)(StartBit | ((singleEnded ? 1 : 0) << 1) | (channel >> 2));
        command[1] = (byte)((channel & 0x03) << 6);
        command[2] = 0;
    }

    /// <inheritdoc />
    public override int DecodeReply(ReadOnlySpan<byte> reply) => ((reply[1] & 0x0F) << 8) | reply[2];
}
