using System.Buffers.Binary;

namespace Edge.Domain.Messaging;

/// <summary>
/// A batch of measurements — each one drive the device played, the layer inputs inside it, and the responses it
/// measured — stored column-wise in flat arrays so a batch of thousands costs a handful of allocations.
/// Binary layout (version 1, little-endian) in docs/mqtt.md: frame "EM", count u32, input/drive/output sizes u16,
/// reserved u16 (0), then per record id (16 bytes), unix-ms timestamp i64, inputs, drives, responses (f32), then
/// CRC-32.
/// </summary>
public sealed class MeasurementBatch
{
    /// <summary>The frame format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Largest batch accepted, in measurements: bounds what one malformed header can make a reader
    /// allocate.</summary>
    public const int MaxCount = 1 << 20;

    private const string What = "measurement batch";
    private const int BodyHeaderSize = 12;
    private static ReadOnlySpan<byte> Magic => "EM"u8;

    /// <summary>Creates a batch over the given arrays (not copied); throws when their lengths disagree.</summary>
    public MeasurementBatch(int inputSize, int driveLength, int outputSize, Guid[] ids, long[] timestamps,
        float[] inputs, float[] drives, float[] responses)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(drives);
        ArgumentNullException.ThrowIfNull(responses);
        CheckSize(inputSize, nameof(inputSize), allowZero: true);
        CheckSize(driveLength, nameof(driveLength), allowZero: false);
        CheckSize(outputSize, nameof(outputSize), allowZero: false);
        var count = ids.Length;
        if (count > MaxCount || timestamps.Length != count || inputs.Length != count * inputSize || drives.Length
            != count * driveLength || responses.Length != count * outputSize)
        {
            throw new
                ArgumentException($"A batch of {count} measurements (max {MaxCount}) needs {count} timestamps, "
                    + $"{count * inputSize} inputs, {count * driveLength} drive values and {count * outputSize} "
                        + $"responses; got {timestamps.Length}, {inputs.Length}, {drives.Length}, {responses.Length}.");
        }

        (InputSize, DriveLength, OutputSize) = (inputSize, driveLength, outputSize);
        (Ids, Timestamps, Inputs, Drives, Responses) = (ids, timestamps, inputs, drives, responses);
    }

    /// <summary>Number of measurements.</summary>
    public int Count => Ids.Length;

    /// <summary>Layer inputs per measurement.</summary>
    public int InputSize { get; }

    /// <summary>Drive segments per measurement.</summary>
    public int DriveLength { get; }

    /// <summary>Responses per measurement.</summary>
    public int OutputSize { get; }

    /// <summary>Unique id of each measurement (the ingest deduplicates on it).</summary>
    public Guid[] Ids { get; }

    /// <summary>When each drive was played, unix milliseconds UTC.</summary>
    public long[] Timestamps { get; }

    /// <summary>Inputs, row-major, <see cref="InputSize"/> per measurement.</summary>
    public float[] Inputs { get; }

    /// <summary>Drives, row-major, <see cref="DriveLength"/> per measurement.</summary>
    public float[] Drives { get; }

    /// <summary>Responses, row-major, <see cref="OutputSize"/> per measurement.</summary>
    public float[] Responses { get; }

    /// <summary>Bytes one record takes in the frame.</summary>
    public static int RecordSize(int inputSize, int driveLength, int outputSize) => 16 + 8
        + (4 * (inputSize + driveLength + outputSize));

    /// <summary>Encodes the batch into a new frame.</summary>
    public byte[] Encode()
    {
        var recordSize = RecordSize(InputSize, DriveLength, OutputSize);
        var frame = new byte[BinaryFrame.Overhead + BodyHeaderSize + (Count * recordSize)];
        BinaryFrame.WriteHeader(frame, Magic, FormatVersion);
        var body = frame.AsSpan(BinaryFrame.HeaderSize, frame.Length - BinaryFrame.Overhead);
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)Count);
        BinaryPrimitives.WriteUInt16LittleEndian(body[4..], (ushort)InputSize);
        BinaryPrimitives.WriteUInt16LittleEndian(body[6..], (ushort)DriveLength);
        BinaryPrimitives.WriteUInt16LittleEndian(body[8..], (ushort)OutputSize);
        var offset = BodyHeaderSize;
        for (var i = 0; i < Count; i++)
        {
            var record = body.Slice(offset, recordSize);
            Ids[i].TryWriteBytes(record);
            BinaryPrimitives.WriteInt64LittleEndian(record[16..], Timestamps[i]);
            var at = 24;
            BinaryFrame.WriteFloats(record[at..], Inputs.AsSpan(i * InputSize, InputSize));
            at += 4 * InputSize;
            BinaryFrame.WriteFloats(record[at..], Drives.AsSpan(i * DriveLength, DriveLength));
            at += 4 * DriveLength;
            BinaryFrame.WriteFloats(record[at..], Responses.AsSpan(i * OutputSize, OutputSize));
            offset += recordSize;
        }

        BinaryFrame.WriteCrc(frame);
        return frame;
    }

    /// <summary>Decodes a frame; throws <see cref="MessageFormatException"/> naming the first problem found.</summary>
    public static MeasurementBatch Decode(ReadOnlySpan<byte> frame)
    {
        var body = BinaryFrame.Open(frame, Magic, FormatVersion, What);
        if (body.Length < BodyHeaderSize)
        {
            throw new
                MessageFormatException($"{What}: body of {body.Length} bytes is shorter than its {BodyHeaderSize}-byte "
                    + "header.");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
        int inputSize = BinaryPrimitives.ReadUInt16LittleEndian(body[4..]);
        int driveLength = BinaryPrimitives.ReadUInt16LittleEndian(body[6..]);
        int outputSize = BinaryPrimitives.ReadUInt16LittleEndian(body[8..]);
        BinaryFrame.RequireReservedZero(BinaryPrimitives.ReadUInt16LittleEndian(body[10..]), What, "reserved u16");
        if (count > MaxCount)
        {
            throw new
                MessageFormatException($"{What}: count {count} exceeds the limit of {MaxCount} measurements per "
                    + "batch.");
        }

        if (driveLength == 0 || outputSize == 0)
        {
            throw new
                MessageFormatException($"{What}: drive length {driveLength} and output size {outputSize} must both be "
                    + "positive.");
        }

        var recordSize = RecordSize(inputSize, driveLength, outputSize);
        var expected = BodyHeaderSize + ((long)count * recordSize);
        if (body.Length != expected)
        {
            throw new
                MessageFormatException($"{What}: {count} records of {recordSize} bytes need a {expected}-byte body, "
                    + $"got {body.Length} bytes.");
        }

        var n = (int)count;
        var ids = new Guid[n];
        var timestamps = new long[n];
        var inputs = new float[n * inputSize];
        var drives = new float[n * driveLength];
        var responses = new float[n * outputSize];
        var offset = BodyHeaderSize;
        for (var i = 0; i < n; i++)
        {
            var record = body.Slice(offset, recordSize);
            ids[i] = new Guid(record[..16]);
            timestamps[i] = BinaryPrimitives.ReadInt64LittleEndian(record[16..]);
            var at = 24;
            BinaryFrame.ReadFiniteFloats(record[at..], inputs.AsSpan(i * inputSize, inputSize), What, "input");
            at += 4 * inputSize;
            BinaryFrame.ReadFiniteFloats(record[at..], drives.AsSpan(i * driveLength, driveLength), What, "drive");
            at += 4 * driveLength;
            BinaryFrame.ReadFiniteFloats(record[at..], responses.AsSpan(i * outputSize, outputSize), What, "response");
            offset += recordSize;
        }

        return new MeasurementBatch(inputSize, driveLength, outputSize, ids, timestamps, inputs, drives, responses);
    }

    private static void CheckSize(int size, string name, bool allowZero)
    {
        if (size < (allowZero ? 0 : 1) || size > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, size, $"Must be {(allowZero ? 0 : 1)}..{ushort.MaxValue}.");
        }
    }
}
