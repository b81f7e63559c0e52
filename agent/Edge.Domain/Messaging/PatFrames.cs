using System.Buffers.Binary;
using System.Text;

namespace Edge.Domain.Messaging;

/// <summary>
/// Binary PAT payloads. A request ("ED") carries a batch of drives for the device's forward pass; a reply ("ER")
/// carries either the measured responses or the agent's reason for refusing. Layouts in docs/mqtt.md.
/// </summary>
public static class PatFrames
{
    /// <summary>The frame format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Largest number of float values one request or reply may carry (16 MiB of samples).</summary>
    public const int MaxValues = 1 << 22;

    private const int RequestBodyHeader = 8;
    private const int ReplyBodyHeader = 8;
    private const byte StatusOk = 0;
    private const byte StatusError = 1;
    private static ReadOnlySpan<byte> RequestMagic => "ED"u8;
    private static ReadOnlySpan<byte> ReplyMagic => "ER"u8;

    /// <summary>Encodes <paramref name="drives"/> (row-major, <paramref name="driveLength"/> per drive) as a request
    /// frame.</summary>
    public static byte[] EncodeRequest(ReadOnlySpan<float> drives, int driveLength)
    {
        CheckShape(drives.Length, driveLength, "drive length");
        var frame = new byte[BinaryFrame.Overhead + RequestBodyHeader + (4 * drives.Length)];
        BinaryFrame.WriteHeader(frame, RequestMagic, FormatVersion);
        var body = frame.AsSpan(BinaryFrame.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)(drives.Length / driveLength));
        BinaryPrimitives.WriteUInt16LittleEndian(body[4..], (ushort)driveLength);
        BinaryFrame.WriteFloats(body[RequestBodyHeader..], drives);
        BinaryFrame.WriteCrc(frame);
        return frame;
    }

    /// <summary>Decodes a request frame into its drives and drive length; throws <see cref="MessageFormatException"/>
    /// naming the problem.</summary>
    public static float[] DecodeRequest(ReadOnlySpan<byte> frame, out int driveLength)
    {
        var count = ReadRequestShape(frame, out driveLength);
        var drives = new float[count * driveLength];
        DecodeRequest(frame, drives);
        return drives;
    }

    /// <summary>
    /// Checks a request frame (magic, version, CRC, size) and returns its drive count and drive length from the header
    /// without allocating, so a receiver can refuse by the declared shape before it sets memory aside.
    /// Throws <see cref="MessageFormatException"/> naming the problem.
    /// </summary>
    public static int ReadRequestShape(ReadOnlySpan<byte> frame, out int driveLength)
    {
        const string what = "PAT request";
        var body = BinaryFrame.Open(frame, RequestMagic, FormatVersion, what);
        ReadShape(body, what, "drive length", out var count, out driveLength);
        BinaryFrame.RequireReservedZero(BinaryPrimitives.ReadUInt16LittleEndian(body[6..]), what, "reserved u16");
        return (int)count;
    }

    /// <summary>
    /// Decodes a request frame's drives into <paramref name="drives"/>, which must hold exactly the values its header
    /// declares (see <see cref="ReadRequestShape"/>); throws <see cref="MessageFormatException"/> naming the problem.
    /// </summary>
    public static void DecodeRequest(ReadOnlySpan<byte> frame, Span<float> drives)
    {
        const string what = "PAT request";
        var body = BinaryFrame.Open(frame, RequestMagic, FormatVersion, what);
        var values = ReadShape(body, what, "drive length", out _, out _);
        BinaryFrame.RequireReservedZero(BinaryPrimitives.ReadUInt16LittleEndian(body[6..]), what, "reserved u16");
        if (values != drives.Length)
        {
            throw new MessageFormatException(
                $"{what}: carries {values} drive values, the buffer holds {drives.Length}.");
        }

        BinaryFrame.ReadFiniteFloats(body[RequestBodyHeader..], drives, what, "drive");
    }

    /// <summary>Encodes measured <paramref name="responses"/> (row-major, <paramref name="outputSize"/> per drive) as a
    /// success reply.</summary>
    public static byte[] EncodeReply(ReadOnlySpan<float> responses, int outputSize)
    {
        CheckShape(responses.Length, outputSize, "output size");
        var frame = new byte[BinaryFrame.Overhead + ReplyBodyHeader + (4 * responses.Length)];
        BinaryFrame.WriteHeader(frame, ReplyMagic, FormatVersion);
        var body = frame.AsSpan(BinaryFrame.HeaderSize);
        body[0] = StatusOk;
        BinaryPrimitives.WriteUInt32LittleEndian(body[2..], (uint)(responses.Length / outputSize));
        BinaryPrimitives.WriteUInt16LittleEndian(body[6..], (ushort)outputSize);
        BinaryFrame.WriteFloats(body[ReplyBodyHeader..], responses);
        BinaryFrame.WriteCrc(frame);
        return frame;
    }

    /// <summary>Encodes a refusal naming why the request was not served.</summary>
    public static byte[] EncodeErrorReply(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var text = Encoding.UTF8.GetBytes(problem.Length > 4000 ? problem[..4000] : problem);
        var frame = new byte[BinaryFrame.Overhead + 4 + text.Length];
        BinaryFrame.WriteHeader(frame, ReplyMagic, FormatVersion);
        var body = frame.AsSpan(BinaryFrame.HeaderSize);
        body[0] = StatusError;
        BinaryPrimitives.WriteUInt16LittleEndian(body[2..], (ushort)text.Length);
        text.CopyTo(body[4..]);
        BinaryFrame.WriteCrc(frame);
        return frame;
    }

    /// <summary>
    /// Decodes a reply into <paramref name="responses"/>, which must have exactly the size of the reply. Returns null
    /// on
    /// success, or the agent's refusal text; throws <see cref="MessageFormatException"/> when the frame is malformed
    /// or its shape differs from <paramref name="responses"/>.
    /// </summary>
    public static string? DecodeReply(ReadOnlySpan<byte> frame, Span<float> responses, int outputSize)
    {
        const string what = "PAT reply";
        var body = BinaryFrame.Open(frame, ReplyMagic, FormatVersion, what);
        if (body.Length < 4)
        {
            throw new MessageFormatException($"{what}: body of {body.Length} bytes is too short for its status.");
        }

        BinaryFrame.RequireReservedZero(body[1], what, "reserved u8");

        if (body[0] == StatusError)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
            if (body.Length != 4 + length)
            {
                throw new
                    MessageFormatException($"{what}: error text of {length} bytes does not match the {body.Length - 4} "
                        + "bytes present.");
            }

            return Encoding.UTF8.GetString(body[4..]);
        }

        if (body[0] != StatusOk)
        {
            throw new MessageFormatException($"{what}: status byte {body[0]} is neither 0 (ok) nor 1 (error).");
        }

        var values = ReadShape(body, what, "output size", out _, out var size, offset: 2);
        if (size != outputSize || values != responses.Length)
        {
            throw new
                MessageFormatException($"{what}: carries {values} responses of output size {size}, the request expects "
                    + $"{responses.Length} of output size {outputSize}.");
        }

        BinaryFrame.ReadFiniteFloats(body[ReplyBodyHeader..], responses, what, "response");
        return null;
    }

    private static void CheckShape(int values, int rowLength, string name)
    {
        if (rowLength is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(rowLength), rowLength,
                $"The {name} must be 1..{ushort.MaxValue}.");
        }

        if (values == 0 || values % rowLength != 0 || values > MaxValues)
        {
            throw new
                ArgumentException($"{values} values is not a positive whole number of rows of {rowLength} (at most "
                    + $"{MaxValues} values).");
        }
    }

    private static int ReadShape(ReadOnlySpan<byte> body, string what, string name, out uint count, out int rowLength,
        int offset = 0)
    {
        if (body.Length < 8)
        {
            throw new MessageFormatException($"{what}: body of {body.Length} bytes is shorter than its header.");
        }

        count = BinaryPrimitives.ReadUInt32LittleEndian(body[offset..]);
        rowLength = BinaryPrimitives.ReadUInt16LittleEndian(body[(offset + 4)..]);
        if (count == 0 || rowLength == 0)
        {
            throw new MessageFormatException($"{what}: count {count} and {name} {rowLength} must both be positive.");
        }

        var values = (long)count * rowLength;
        if (values > MaxValues)
        {
            throw new
                MessageFormatException($"{what}: {count} rows of {rowLength} values exceeds the limit of {MaxValues} "
                    + "values.");
        }

        var expected = 8 + (values * 4);
        if (body.Length != expected)
        {
            throw new
                MessageFormatException($"{what}: {count} rows of {rowLength} values need a {expected}-byte body, got "
                    + $"{body.Length} bytes.");
        }

        return (int)values;
    }
}
