namespace Edge.Bridge.Protocol;

/// <summary>Host → device: hold a DAC channel at a safe code. Payload (3 bytes): channel u8 (0xFF = all), code
/// u16.</summary>
public sealed class SetSafeMessage : Message
{
    /// <summary>Encoded payload length.</summary>
    public const int Length = 3;

    /// <summary>Channel number that addresses every DAC channel.</summary>
    public const byte AllChannels = 0xFF;

    /// <summary>Creates a SetSafe.</summary>
    /// <param name="channel">DAC channel, or <see cref="AllChannels"/>.</param>
    /// <param name="code">DAC code to hold.</param>
    public SetSafeMessage(byte channel, ushort code)
    {
        Channel = channel;
        Code = code;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.SetSafe;

    /// <inheritdoc/>
    public override int PayloadLength => Length;

    /// <summary>DAC channel, or <see cref="AllChannels"/>.</summary>
    public byte Channel { get; }

    /// <summary>DAC code to hold.</summary>
    public ushort Code { get; }

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static SetSafeMessage Decode(byte[] payload, int offset, int count)
    {
        RequireLength(MessageType.SetSafe, count, Length);
        return new SetSafeMessage(payload[offset], LittleEndian.ReadUInt16(payload, offset + 1));
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        destination[offset] = Channel;
        LittleEndian.WriteUInt16(destination, offset + 1, Code);
    }
}
