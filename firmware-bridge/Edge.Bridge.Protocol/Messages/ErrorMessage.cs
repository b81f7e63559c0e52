namespace Edge.Bridge.Protocol;

/// <summary>
/// An application-level failure. Payload (4 + n bytes): code u16, relatedSequence u16, then n bytes of printable
/// ASCII text (0x20..0x7E, n ≤ 60 so an Error fits the smallest negotiable payload).
/// </summary>
public sealed class ErrorMessage : Message
{
    /// <summary>Length of the fixed part before the text.</summary>
    public const int HeaderLength = 4;

    /// <summary>Longest text.</summary>
    public const int MaxTextLength = 60;

    /// <summary>Creates and validates an Error.</summary>
    /// <param name="code">What failed.</param>
    /// <param name="relatedSequence">Sequence of the frame that caused it (0 if none).</param>
    /// <param name="text">Printable ASCII explanation, at most <see cref="MaxTextLength"/> characters.</param>
    public ErrorMessage(BridgeErrorCode code, ushort relatedSequence, string text)
    {
        Require(text.Length <= MaxTextLength, $"Error text is {text.Length} characters, max {MaxTextLength}");
        for (var i = 0; i < text.Length; i++)
        {
            Require(text[i] >= ' ' && text[i] <= '~',
                $"Error text character {i} (0x{(int)text[i]:X2}) is not printable ASCII");
        }

        Code = code;
        RelatedSequence = relatedSequence;
        Text = text;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Error;

    /// <inheritdoc/>
    public override int PayloadLength => HeaderLength + Text.Length;

    /// <summary>What failed.</summary>
    public BridgeErrorCode Code { get; }

    /// <summary>Sequence of the frame that caused it (0 if none).</summary>
    public ushort RelatedSequence { get; }

    /// <summary>Printable ASCII explanation.</summary>
    public string Text { get; }

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static ErrorMessage Decode(byte[] payload, int offset, int count)
    {
        RequireMinimumLength(MessageType.Error, count, HeaderLength);
        var characters = new char[count - HeaderLength];
        for (var i = 0; i < characters.Length; i++)
        {
            characters[i] = (char)payload[offset + HeaderLength + i];
        }

        return new ErrorMessage(
            (BridgeErrorCode)LittleEndian.ReadUInt16(payload, offset),
            LittleEndian.ReadUInt16(payload, offset + 2),
            new string(characters));
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        LittleEndian.WriteUInt16(destination, offset, (ushort)Code);
        LittleEndian.WriteUInt16(destination, offset + 2, RelatedSequence);
        for (var i = 0; i < Text.Length; i++)
        {
            destination[offset + HeaderLength + i] = (byte)Text[i];
        }
    }
}
