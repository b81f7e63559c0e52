namespace Edge.Bridge.Protocol;

/// <summary>Negative acknowledgement. Payload (3 bytes): reason u8, detail u16 (meaning depends on the
/// reason).</summary>
public sealed class NackMessage : Message
{
    /// <summary>Encoded payload length.</summary>
    public const int Length = 3;

    /// <summary>Creates and validates a Nack.</summary>
    /// <param name="reason">Why the frame was refused.</param>
    /// <param name="detail">A sequence number or version, see <see cref="NackReason"/>.</param>
    public NackMessage(NackReason reason, ushort detail)
    {
        Require(reason >= NackReason.CrcError && reason <= NackReason.InvalidPayload,
            $"Nack reason {(int)reason} is not defined");
        Reason = reason;
        Detail = detail;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Nack;

    /// <inheritdoc/>
    public override int PayloadLength => Length;

    /// <summary>Why the frame was refused.</summary>
    public NackReason Reason { get; }

    /// <summary>A sequence number or version, see <see cref="NackReason"/>.</summary>
    public ushort Detail { get; }

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static NackMessage Decode(byte[] payload, int offset, int count)
    {
        RequireLength(MessageType.Nack, count, Length);
        return new NackMessage((NackReason)payload[offset], LittleEndian.ReadUInt16(payload, offset + 1));
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        destination[offset] = (byte)Reason;
        LittleEndian.WriteUInt16(destination, offset + 1, Detail);
    }
}
