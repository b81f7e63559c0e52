namespace Edge.Bridge.Protocol;

/// <summary>What is wrong with a frame or message that failed to decode or validate.</summary>
public enum ProtocolError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The wire block is not valid COBS.</summary>
    InvalidCobs = 1,

    /// <summary>The frame is shorter than header plus CRC.</summary>
    Truncated = 2,

    /// <summary>The CRC-32 does not match the frame contents.</summary>
    CrcMismatch = 3,

    /// <summary>The frame's version byte is not one this side speaks.</summary>
    WrongVersion = 4,

    /// <summary>The payload length field disagrees with the bytes the frame carries.</summary>
    LengthMismatch = 5,

    /// <summary>The payload is longer than the negotiated maximum.</summary>
    PayloadTooLarge = 6,

    /// <summary>The message type byte names no known message.</summary>
    UnknownType = 7,

    /// <summary>The wire block grew past the largest frame before a 0x00 delimiter arrived.</summary>
    FrameTooLong = 8,

    /// <summary>The payload does not follow its message's layout or its fields are out of range.</summary>
    InvalidPayload = 9,
}
