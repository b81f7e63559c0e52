namespace Edge.Bridge.Protocol;

/// <summary>Keep-alive. Payload (4 bytes): the sender's uptime in milliseconds u32 (wraps after ~49 days).</summary>
public sealed class HeartbeatMessage : Message
{
    /// <summary>Encoded payload length.</summary>
    public const int Length = 4;

    /// <summary>Creates a heartbeat.</summary>
    /// <param name="uptimeMs">Sender uptime in milliseconds.</param>
    public HeartbeatMessage(uint uptimeMs)
    {
        UptimeMs = uptimeMs;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Heartbeat;

    /// <inheritdoc/>
    public override int PayloadLength => Length;

    /// <summary>Sender uptime in milliseconds.</summary>
    public uint UptimeMs { get; }

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static HeartbeatMessage Decode(byte[] payload, int offset, int count)
    {
        RequireLength(MessageType.Heartbeat, count, Length);
        return new HeartbeatMessage(LittleEndian.ReadUInt32(payload, offset));
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
        => LittleEndian.WriteUInt32(destination, offset, UptimeMs);
}
