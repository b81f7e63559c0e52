namespace Edge.Bridge.Protocol;

/// <summary>
/// Frame layout (little-endian): version u8, type u8, sequence u16, ack u16, flags u8, payloadLength u16, payload,
/// CRC-32 u32 over everything before it. On the wire: COBS(frame) then 0x00.
/// </summary>
public static class FrameCodec
{
    /// <summary>Bytes before the payload.</summary>
    public const int HeaderLength = 9;

    /// <summary>Bytes of the trailing CRC.</summary>
    public const int CrcLength = 4;

    /// <summary>Header plus CRC: the size of a frame with an empty payload.</summary>
    public const int Overhead = HeaderLength + CrcLength;

    /// <summary>Maximum payload before negotiation (and the default).</summary>
    public const int DefaultMaxPayload = 256;

    /// <summary>Smallest maximum payload a side may announce; every fixed-size message fits.</summary>
    public const int MinNegotiablePayload = 64;

    /// <summary>Largest maximum payload a side may announce.</summary>
    public const int MaxNegotiablePayload = 4096;

    /// <summary>Wire bytes (COBS + delimiter) of the largest frame with a given payload limit.</summary>
    /// <param name="maxPayload">Payload limit.</param>
    /// <returns>Buffer size a receiver needs.</returns>
    public static int MaxWireLength(int maxPayload) => Cobs.MaxEncodedLength(Overhead + maxPayload) + 1;

    /// <summary>Throws unless a payload limit lies in the negotiable range.</summary>
    /// <param name="maxPayload">Announced payload limit.</param>
    public static void RequireNegotiablePayload(int maxPayload)
    {
        if (maxPayload < MinNegotiablePayload || maxPayload > MaxNegotiablePayload)
        {
            throw new ProtocolException(
                ProtocolError.InvalidPayload,
                $"max payload {maxPayload} is outside the negotiable range "
                    + $"{MinNegotiablePayload}..{MaxNegotiablePayload}");
        }
    }

    /// <summary>Writes a frame (header, payload, CRC) without COBS.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="maxPayload">Negotiated payload limit.</param>
    /// <param name="destination">Buffer with <see cref="Overhead"/> + payload bytes free.</param>
    /// <param name="offset">Where the frame starts.</param>
    /// <returns>Number of bytes written.</returns>
    /// <exception cref="ProtocolException">The payload exceeds <paramref name="maxPayload"/>.</exception>
    public static int Encode(Frame frame, int maxPayload, byte[] destination, int offset)
    {
        var payloadLength = frame.Payload.Length;
        if (payloadLength > maxPayload)
        {
            throw new ProtocolException(ProtocolError.PayloadTooLarge,
                $"payload length {payloadLength} exceeds max {maxPayload}");
        }

        destination[offset] = frame.Version;
        destination[offset + 1] = (byte)frame.Type;
        LittleEndian.WriteUInt16(destination, offset + 2, frame.Sequence);
        LittleEndian.WriteUInt16(destination, offset + 4, frame.AckNumber);
        destination[offset + 6] = (byte)frame.Flags;
        LittleEndian.WriteUInt16(destination, offset + 7, (ushort)payloadLength);
        System.Array.Copy(frame.Payload, 0, destination, offset + HeaderLength, payloadLength);
        var crcOffset = offset + HeaderLength + payloadLength;
        LittleEndian.WriteUInt32(destination, crcOffset,
            Crc32.Compute(destination, offset, HeaderLength + payloadLength));
        return Overhead + payloadLength;
    }

    /// <summary>Encodes a frame into a new array (no COBS).</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="maxPayload">Negotiated payload limit.</param>
    /// <returns>Header, payload and CRC.</returns>
    public static byte[] Encode(Frame frame, int maxPayload)
    {
        var raw = new byte[Overhead + frame.Payload.Length];
        Encode(frame, maxPayload, raw, 0);
        return raw;
    }

    /// <summary>Encodes a frame as it goes on the wire: COBS of header, payload and CRC, then 0x00.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="maxPayload">Negotiated payload limit.</param>
    /// <returns>Wire bytes.</returns>
    public static byte[] EncodeWire(Frame frame, int maxPayload)
    {
        var raw = Encode(frame, maxPayload);
        var buffer = new byte[Cobs.MaxEncodedLength(raw.Length) + 1];
        var length = Cobs.Encode(raw, 0, raw.Length, buffer, 0);
        buffer[length] = 0;
        var wire = new byte[length + 1];
        System.Array.Copy(buffer, wire, length + 1);
        return wire;
    }

    /// <summary>Decodes a frame (after COBS) without throwing. Checks, in order: size, CRC, version, length,
    /// type.</summary>
    /// <param name="buffer">Buffer holding the frame.</param>
    /// <param name="offset">First frame byte.</param>
    /// <param name="count">Frame length including CRC.</param>
    /// <param name="maxPayload">Negotiated payload limit.</param>
    /// <returns>The frame, or the first problem found.</returns>
    public static FrameDecodeResult TryDecode(byte[] buffer, int offset, int count, int maxPayload)
    {
        if (count < Overhead)
        {
            return FrameDecodeResult.Failure(ProtocolError.Truncated,
                $"frame is {count} bytes, shorter than the {Overhead}-byte header and CRC");
        }

        // CRC first: any corruption, wherever it hits, is reported as a CRC error rather than as a bogus field.
        var bodyLength = count - CrcLength;
        var expectedCrc = LittleEndian.ReadUInt32(buffer, offset + bodyLength);
        var actualCrc = Crc32.Compute(buffer, offset, bodyLength);
        if (expectedCrc != actualCrc)
        {
            return FrameDecodeResult.Failure(ProtocolError.CrcMismatch,
                $"CRC mismatch: frame says 0x{expectedCrc:X8}, contents give 0x{actualCrc:X8}");
        }

        var version = buffer[offset];
        if (version != ProtocolVersion.Current)
        {
            return FrameDecodeResult.Failure(ProtocolError.WrongVersion,
                $"frame version {version}, expected {ProtocolVersion.Current}");
        }

        int payloadLength = LittleEndian.ReadUInt16(buffer, offset + 7);
        if (payloadLength > maxPayload)
        {
            return FrameDecodeResult.Failure(ProtocolError.PayloadTooLarge,
                $"payload length {payloadLength} exceeds max {maxPayload}");
        }

        if (payloadLength != count - Overhead)
        {
            return FrameDecodeResult.Failure(
                ProtocolError.LengthMismatch,
                $"payload length field says {payloadLength} bytes but the frame carries {count - Overhead}");
        }

        int type = buffer[offset + 1];
        if (!MessageCodec.IsKnownType(type))
        {
            return FrameDecodeResult.Failure(ProtocolError.UnknownType, $"unknown message type 0x{type:X2}");
        }

        var payload = new byte[payloadLength];
        System.Array.Copy(buffer, offset + HeaderLength, payload, 0, payloadLength);
        var frame = new Frame(
            version,
            (MessageType)type,
            LittleEndian.ReadUInt16(buffer, offset + 2),
            LittleEndian.ReadUInt16(buffer, offset + 4),
            (FrameFlags)buffer[offset + 6],
            payload);
        return FrameDecodeResult.Success(frame);
    }

    /// <summary>Decodes a frame (after COBS).</summary>
    /// <param name="buffer">Buffer holding the frame.</param>
    /// <param name="offset">First frame byte.</param>
    /// <param name="count">Frame length including CRC.</param>
    /// <param name="maxPayload">Negotiated payload limit.</param>
    /// <returns>The frame.</returns>
    /// <exception cref="ProtocolException">The frame is malformed; the message names the problem.</exception>
    public static Frame Decode(byte[] buffer, int offset, int count, int maxPayload)
    {
        var result = TryDecode(buffer, offset, count, maxPayload);
        if (result.Frame is null)
        {
            throw new ProtocolException(result.Error, result.Description);
        }

        return result.Frame;
    }

    /// <summary>Decodes wire bytes (one COBS block, with or without its trailing 0x00) into a frame.</summary>
    /// <param name="wire">The wire bytes of one frame.</param>
    /// <param name="maxPayload">Negotiated payload limit.</param>
    /// <returns>The frame.</returns>
    /// <exception cref="ProtocolException">The bytes are not a valid frame.</exception>
    public static Frame DecodeWire(byte[] wire, int maxPayload)
    {
        var count = wire.Length > 0 && wire[wire.Length - 1] == 0 ? wire.Length - 1 : wire.Length;
        var raw = new byte[count];
        var length = Cobs.TryDecode(wire, 0, count, raw, 0);
        if (length < 0)
        {
            throw new ProtocolException(ProtocolError.InvalidCobs,
                "invalid COBS block: a code byte runs past the end or the block contains 0x00");
        }

        return Decode(raw, 0, length, maxPayload);
    }
}
