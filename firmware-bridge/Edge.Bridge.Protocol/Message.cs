namespace Edge.Bridge.Protocol;

/// <summary>
/// A protocol message: its type and payload. Subclasses validate their fields in the constructor, so an
/// instance always encodes to a well-formed payload.
/// </summary>
public abstract class Message
{
    /// <summary>The frame type byte of this message.</summary>
    public abstract MessageType Type { get; }

    /// <summary>Length of the encoded payload in bytes.</summary>
    public abstract int PayloadLength { get; }

    /// <summary>Whether this message travels in a sequenced, acknowledged frame.</summary>
    public bool IsReliable => IsReliableType(Type);

    /// <summary>Whether messages of a type travel in sequenced, acknowledged frames (all but Ack, Nack,
    /// Heartbeat).</summary>
    /// <param name="type">A message type.</param>
    /// <returns>True for reliable types.</returns>
    public static bool IsReliableType(MessageType type) =>
        type != MessageType.Ack && type != MessageType.Nack && type != MessageType.Heartbeat;

    /// <summary>Writes the payload.</summary>
    /// <param name="destination">Buffer with <see cref="PayloadLength"/> free bytes at <paramref
    /// name="offset"/>.</param>
    /// <param name="offset">Where the payload starts.</param>
    public abstract void WritePayload(byte[] destination, int offset);

    /// <summary>Encodes the payload into a new array.</summary>
    /// <returns>The payload bytes.</returns>
    public byte[] ToPayload()
    {
        var payload = new byte[PayloadLength];
        WritePayload(payload, 0);
        return payload;
    }

    /// <summary>Throws unless a payload has exactly the expected length.</summary>
    /// <param name="type">Message being decoded (for the error text).</param>
    /// <param name="count">Actual payload length.</param>
    /// <param name="expected">Required payload length.</param>
    protected static void RequireLength(MessageType type, int count, int expected)
    {
        if (count != expected)
        {
            throw new ProtocolException(ProtocolError.InvalidPayload,
                $"{type} payload is {count} bytes, expected {expected}");
        }
    }

    /// <summary>Throws unless a payload holds at least its fixed header.</summary>
    /// <param name="type">Message being decoded (for the error text).</param>
    /// <param name="count">Actual payload length.</param>
    /// <param name="minimum">Length of the fixed part.</param>
    protected static void RequireMinimumLength(MessageType type, int count, int minimum)
    {
        if (count < minimum)
        {
            throw new ProtocolException(ProtocolError.InvalidPayload,
                $"{type} payload is {count} bytes, shorter than its {minimum}-byte header");
        }
    }

    /// <summary>Throws an <see cref="ProtocolError.InvalidPayload"/> error unless a condition holds.</summary>
    /// <param name="condition">The field constraint.</param>
    /// <param name="problem">Description of the violation.</param>
    protected static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ProtocolException(ProtocolError.InvalidPayload, problem);
        }
    }
}
