using System.Buffers.Binary;

namespace Edge.Domain.Messaging;

/// <summary>
/// A model package offered to an agent. The package bytes are opaque here (the model store verifies and installs
/// them); the frame ("EO", version 1) adds an offer id, a length and a CRC-32 so transport damage is caught first.
/// </summary>
/// <param name="OfferId">Identifies the offer; the agent's <see cref="ModelAckMessage"/> echoes it.</param>
/// <param name="Package">The package bytes, exactly as the trainer built them.</param>
public sealed record ModelOffer(Guid OfferId, ReadOnlyMemory<byte> Package)
{
    /// <summary>The frame format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Largest package accepted, in bytes: the package format's own limit (3 MiB).</summary>
    public const int MaxPackageBytes = (int)Models.ModelPackageLayout.MaxPackageBytes;

    /// <summary>
    /// The offer id a frame claims, read from its header without checking the CRC: only for answering an offer that
    /// will not be read (e.g. refused as busy). Null when the frame is too short or is not an offer.
    /// </summary>
    public static Guid? PeekOfferId(ReadOnlySpan<byte> frame) =>
        frame.Length >= BinaryFrame.Overhead + 20 && frame.StartsWith(Magic)
            ? new Guid(frame.Slice(BinaryFrame.HeaderSize, 16))
            : null;

    private const string What = "model offer";
    private static ReadOnlySpan<byte> Magic => "EO"u8;

    /// <summary>Encodes the offer into a new frame.</summary>
    public byte[] Encode()
    {
        if (Package.Length is 0 or > MaxPackageBytes)
        {
            throw new
                InvalidOperationException($"A model package must be 1..{MaxPackageBytes} bytes, this one is "
                    + $"{Package.Length}.");
        }

        var frame = new byte[BinaryFrame.Overhead + 20 + Package.Length];
        BinaryFrame.WriteHeader(frame, Magic, FormatVersion);
        var body = frame.AsSpan(BinaryFrame.HeaderSize);
        OfferId.TryWriteBytes(body);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], (uint)Package.Length);
        Package.Span.CopyTo(body[20..]);
        BinaryFrame.WriteCrc(frame);
        return frame;
    }

    /// <summary>
    /// Decodes a frame without copying: <see cref="Package"/> is a slice of <paramref name="frame"/>, valid as long as
    /// the caller's buffer is (the agent spools it to disk straight away). Throws <see cref="MessageFormatException"/>
    /// naming the problem.
    /// </summary>
    public static ModelOffer Decode(ReadOnlyMemory<byte> frame)
    {
        var body = BinaryFrame.Open(frame.Span, Magic, FormatVersion, What);
        if (body.Length < 20)
        {
            throw new
                MessageFormatException($"{What}: body of {body.Length} bytes is shorter than its 20-byte header.");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
        if (length is 0 or > MaxPackageBytes)
        {
            throw new MessageFormatException($"{What}: package length {length} is outside 1..{MaxPackageBytes} bytes.");
        }

        if (body.Length - 20 != length)
        {
            throw new
                MessageFormatException($"{What}: header says {length} package bytes, {body.Length - 20} are present.");
        }

        // The package is the frame's tail: header, offer id and length before it, the CRC after it.
        var start = BinaryFrame.HeaderSize + 20;
        return new ModelOffer(new Guid(body[..16]), frame.Slice(start, (int)length));
    }
}
