namespace Edge.Bridge.Protocol;

/// <summary>Turns a payload back into the message its type byte names.</summary>
public static class MessageCodec
{
    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="type">The frame's message type.</param>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ProtocolException">Unknown type, or a payload that violates its layout.</exception>
    public static Message Decode(MessageType type, byte[] payload, int offset, int count)
    {
        switch (type)
        {
            case MessageType.Hello:
                return HelloMessage.Decode(payload, offset, count);
            case MessageType.HelloAck:
                return HelloAckMessage.Decode(payload, offset, count);
            case MessageType.PlayAndCapture:
                return PlayAndCaptureMessage.Decode(payload, offset, count);
            case MessageType.CaptureResult:
                return CaptureResultMessage.Decode(payload, offset, count);
            case MessageType.Ack:
                return AckMessage.Decode(count);
            case MessageType.Nack:
                return NackMessage.Decode(payload, offset, count);
            case MessageType.Heartbeat:
                return HeartbeatMessage.Decode(payload, offset, count);
            case MessageType.SetSafe:
                return SetSafeMessage.Decode(payload, offset, count);
            case MessageType.Error:
                return ErrorMessage.Decode(payload, offset, count);
            default:
                throw new ProtocolException(ProtocolError.UnknownType, $"unknown message type 0x{(int)type:X2}");
        }
    }

    /// <summary>Decodes the message a frame carries.</summary>
    /// <param name="frame">A frame that passed CRC and length checks.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ProtocolException">The payload violates its layout.</exception>
    public static Message Decode(Frame frame) => Decode(frame.Type, frame.Payload, 0, frame.Payload.Length);

    /// <summary>Whether a type byte names a defined message.</summary>
    /// <param name="type">A type byte.</param>
    /// <returns>True for Hello..Error.</returns>
    public static bool IsKnownType(int type) => type >= (int)MessageType.Hello && type <= (int)MessageType.Error;
}
