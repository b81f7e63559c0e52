namespace Edge.Bridge.Protocol;

/// <summary>
/// Device → host: a slice of a capture. Payload (14 + 2·n bytes): captureId u16, channel u8, kind u8,
/// totalValues u32, firstIndex u32, valueCount u16 (= n), then n values u16. A capture longer than one payload
/// is sent as consecutive slices.
/// </summary>
public sealed class CaptureResultMessage : Message
{
    /// <summary>Length of the fixed part before the values.</summary>
    public const int HeaderLength = 14;

    private readonly ushort[] values;

    /// <summary>Creates and validates a result slice.</summary>
    /// <param name="captureId">The request's capture identifier.</param>
    /// <param name="channel">ADC channel the values come from.</param>
    /// <param name="kind">Binned means or raw codes.</param>
    /// <param name="totalValues">Number of values in the whole capture, ≥ 1.</param>
    /// <param name="firstIndex">Index of this slice's first value in the whole capture.</param>
    /// <param name="values">This slice's values, at least one, ending within <paramref name="totalValues"/>
    /// (copied).</param>
    public CaptureResultMessage(ushort captureId, byte channel, CaptureKind kind, uint totalValues, uint firstIndex,
        ushort[] values)
    {
        Require(kind == CaptureKind.Binned || kind == CaptureKind.Raw,
            $"CaptureResult kind {(int)kind} is neither binned (0) nor raw (1)");
        Require(values.Length >= 1 && values.Length <= ushort.MaxValue,
            $"CaptureResult slice needs 1..65535 values, got {values.Length}");
        Require(
            (long)firstIndex + values.Length <= totalValues,
            $"CaptureResult slice {firstIndex}..{(long)firstIndex + values.Length - 1} runs past the {totalValues} "
                + "values of the capture");
        CaptureId = captureId;
        Channel = channel;
        Kind = kind;
        TotalValues = totalValues;
        FirstIndex = firstIndex;
        this.values = (ushort[])values.Clone();
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.CaptureResult;

    /// <inheritdoc/>
    public override int PayloadLength => HeaderLength + (2 * values.Length);

    /// <summary>The request's capture identifier.</summary>
    public ushort CaptureId { get; }

    /// <summary>ADC channel the values come from.</summary>
    public byte Channel { get; }

    /// <summary>Binned means or raw codes.</summary>
    public CaptureKind Kind { get; }

    /// <summary>Number of values in the whole capture.</summary>
    public uint TotalValues { get; }

    /// <summary>Index of this slice's first value.</summary>
    public uint FirstIndex { get; }

    /// <summary>Number of values in this slice.</summary>
    public int ValueCount => values.Length;

    /// <summary>One value of this slice.</summary>
    /// <param name="index">Index within the slice.</param>
    /// <returns>A raw ADC code, or a bin mean left-justified to 16 bits.</returns>
    public ushort GetValue(int index) => values[index];

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static CaptureResultMessage Decode(byte[] payload, int offset, int count)
    {
        RequireMinimumLength(MessageType.CaptureResult, count, HeaderLength);
        int valueCount = LittleEndian.ReadUInt16(payload, offset + 12);
        RequireLength(MessageType.CaptureResult, count, HeaderLength + (2 * valueCount));
        var decoded = new ushort[valueCount];
        for (var i = 0; i < valueCount; i++)
        {
            decoded[i] = LittleEndian.ReadUInt16(payload, offset + HeaderLength + (2 * i));
        }

        return new CaptureResultMessage(
            LittleEndian.ReadUInt16(payload, offset),
            payload[offset + 2],
            (CaptureKind)payload[offset + 3],
            LittleEndian.ReadUInt32(payload, offset + 4),
            LittleEndian.ReadUInt32(payload, offset + 8),
            decoded);
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        LittleEndian.WriteUInt16(destination, offset, CaptureId);
        destination[offset + 2] = Channel;
        destination[offset + 3] = (byte)Kind;
        LittleEndian.WriteUInt32(destination, offset + 4, TotalValues);
        LittleEndian.WriteUInt32(destination, offset + 8, FirstIndex);
        LittleEndian.WriteUInt16(destination, offset + 12, (ushort)values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            LittleEndian.WriteUInt16(destination, offset + HeaderLength + (2 * i), values[i]);
        }
    }
}
