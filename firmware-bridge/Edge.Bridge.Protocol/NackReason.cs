namespace Edge.Bridge.Protocol;

/// <summary>Why a receiver sent a Nack.</summary>
public enum NackReason
{
    /// <summary>A frame failed its CRC (or COBS); detail = next expected sequence.</summary>
    CrcError = 1,

    /// <summary>A frame's length is inconsistent or too large; detail = next expected sequence.</summary>
    BadLength = 2,

    /// <summary>The message type is unknown; detail = the rejected sequence.</summary>
    UnknownType = 3,

    /// <summary>The frame version is not spoken here; detail = the version this side speaks.</summary>
    WrongVersion = 4,

    /// <summary>The receiver cannot take the frame now; detail = the rejected sequence. The sender retries after its
    /// timeout.</summary>
    Busy = 5,

    /// <summary>A frame arrived ahead of a missing one; detail = the missing (next expected) sequence.</summary>
    SequenceGap = 6,

    /// <summary>The payload does not follow its message layout; detail = the rejected sequence.</summary>
    InvalidPayload = 7,
}
