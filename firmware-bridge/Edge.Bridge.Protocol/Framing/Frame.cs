namespace Edge.Bridge.Protocol;

/// <summary>One decoded frame: header fields and payload (the CRC was checked on the way in).</summary>
public sealed class Frame
{
    /// <summary>Creates a frame.</summary>
    /// <param name="version">Protocol version byte.</param>
    /// <param name="type">Message type.</param>
    /// <param name="sequence">Sequence number (reliable frames) or 0.</param>
    /// <param name="ackNumber">Next sequence the sender expects from its peer, valid when <see
    /// cref="FrameFlags.AckValid"/> is set.</param>
    /// <param name="flags">Flag bits.</param>
    /// <param name="payload">Payload bytes (held, not copied).</param>
    public Frame(byte version, MessageType type, ushort sequence, ushort ackNumber, FrameFlags flags, byte[] payload)
    {
        Version = version;
        Type = type;
        Sequence = sequence;
        AckNumber = ackNumber;
        Flags = flags;
        Payload = payload;
    }

    /// <summary>Protocol version byte.</summary>
    public byte Version { get; }

    /// <summary>Message type.</summary>
    public MessageType Type { get; }

    /// <summary>Sequence number (reliable frames) or 0.</summary>
    public ushort Sequence { get; }

    /// <summary>Next sequence the sender expects from its peer.</summary>
    public ushort AckNumber { get; }

    /// <summary>Flag bits.</summary>
    public FrameFlags Flags { get; }

    /// <summary>Payload bytes.</summary>
    public byte[] Payload { get; }

    /// <summary>Builds the frame that carries a message in the current protocol version.</summary>
    /// <param name="message">The message.</param>
    /// <param name="sequence">Sequence number.</param>
    /// <param name="ackNumber">Ack number.</param>
    /// <param name="flags">Flag bits.</param>
    /// <returns>The frame.</returns>
    public static Frame FromMessage(Message message, ushort sequence, ushort ackNumber, FrameFlags flags) =>
        new(ProtocolVersion.Current, message.Type, sequence, ackNumber, flags, message.ToPayload());
}
