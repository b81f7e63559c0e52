namespace Edge.Bridge.Protocol;

/// <summary>Host → device: opens a session. Payload (8 bytes): minVersion u8, maxVersion u8, maxPayload u16,
/// capabilities u32.</summary>
public sealed class HelloMessage : Message
{
    /// <summary>Encoded payload length.</summary>
    public const int Length = 8;

    /// <summary>Creates and validates a Hello.</summary>
    /// <param name="minVersion">Oldest protocol version the host speaks (≥ 1).</param>
    /// <param name="maxVersion">Newest protocol version the host speaks (≥ <paramref name="minVersion"/>).</param>
    /// <param name="maxPayload">Largest payload the host accepts, within the negotiable range.</param>
    /// <param name="capabilities">Optional features the host uses.</param>
    public HelloMessage(byte minVersion, byte maxVersion, ushort maxPayload, Capabilities capabilities)
    {
        Require(minVersion >= 1 && minVersion <= maxVersion,
            $"Hello version range {minVersion}..{maxVersion} is empty or starts below 1");
        FrameCodec.RequireNegotiablePayload(maxPayload);
        MinVersion = minVersion;
        MaxVersion = maxVersion;
        MaxPayload = maxPayload;
        HostCapabilities = capabilities;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Hello;

    /// <inheritdoc/>
    public override int PayloadLength => Length;

    /// <summary>Oldest protocol version the host speaks.</summary>
    public byte MinVersion { get; }

    /// <summary>Newest protocol version the host speaks.</summary>
    public byte MaxVersion { get; }

    /// <summary>Largest payload the host accepts.</summary>
    public ushort MaxPayload { get; }

    /// <summary>Optional features the host uses.</summary>
    public Capabilities HostCapabilities { get; }

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static HelloMessage Decode(byte[] payload, int offset, int count)
    {
        RequireLength(MessageType.Hello, count, Length);
        return new HelloMessage(
            payload[offset],
            payload[offset + 1],
            LittleEndian.ReadUInt16(payload, offset + 2),
            (Capabilities)LittleEndian.ReadUInt32(payload, offset + 4));
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        destination[offset] = MinVersion;
        destination[offset + 1] = MaxVersion;
        LittleEndian.WriteUInt16(destination, offset + 2, MaxPayload);
        LittleEndian.WriteUInt32(destination, offset + 4, (uint)HostCapabilities);
    }
}
