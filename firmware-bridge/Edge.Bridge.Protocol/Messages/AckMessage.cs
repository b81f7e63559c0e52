namespace Edge.Bridge.Protocol;

/// <summary>Acknowledgement; empty payload. The frame's ack number says which frames it covers.</summary>
public sealed class AckMessage : Message
{
    /// <summary>The only Ack (it carries no fields).</summary>
    public static readonly AckMessage Instance = new();

    private AckMessage()
    {
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Ack;

    /// <inheritdoc/>
    public override int PayloadLength => 0;

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="count">Payload length (must be 0).</param>
    /// <returns>The message.</returns>
    public static AckMessage Decode(int count)
    {
        RequireLength(MessageType.Ack, count, 0);
        return Instance;
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
    }
}
