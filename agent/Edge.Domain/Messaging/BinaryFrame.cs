using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Edge.Domain.Messaging;

/// <summary>
/// The envelope of every binary Edge payload: two ASCII magic bytes naming the frame type, a version byte, a flags
/// byte, the body, and a little-endian CRC-32 of everything before it.
/// </summary>
internal static class BinaryFrame
{
    public const int HeaderSize = 4;
    public const int TrailerSize = 4;
    public const int Overhead = HeaderSize + TrailerSize;

    public static void WriteHeader(Span<byte> frame, ReadOnlySpan<byte> magic, byte version)
    {
        frame[0] = magic[0];
        frame[1] = magic[1];
        frame[2] = version;
        frame[3] = 0;
    }

    public static void WriteCrc(Span<byte> frame)
    {
        var crc = Crc32.HashToUInt32(frame[..^TrailerSize]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[^TrailerSize..], crc);
    }

    /// <summary>Checks magic, version, flags (none are defined in version 1, so the byte must be 0) and CRC; returns
    /// the body.</summary>
    public static ReadOnlySpan<byte> Open(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> magic, byte version, string what)
    {
        if (frame.Length < Overhead)
        {
            throw new
                MessageFormatException($"{what}: {frame.Length} bytes is shorter than the {Overhead}-byte frame header "
                    + "and CRC.");
        }

        if (frame[0] != magic[0] || frame[1] != magic[1])
        {
            throw new
                MessageFormatException($"{what}: magic bytes 0x{frame[0]:X2}{frame[1]:X2} are not "
                    + $"'{(char)magic[0]}{(char)magic[1]}'; this is not a {what}.");
        }

        if (frame[2] != version)
        {
            throw new
                MessageFormatException($"{what}: format version {frame[2]} is not supported (this build reads version "
                    + $"{version}).");
        }

        if (frame[3] != 0)
        {
            throw new
                MessageFormatException($"{what}: flags byte 0x{frame[3]:X2} is not 0; version {version} defines no "
                    + "flags.");
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(frame[^TrailerSize..]);
        var actual = Crc32.HashToUInt32(frame[..^TrailerSize]);
        if (expected != actual)
        {
            throw new
                MessageFormatException($"{what}: CRC-32 mismatch (frame says 0x{expected:X8}, content gives "
                    + $"0x{actual:X8}); the payload is corrupt or truncated.");
        }

        return frame[HeaderSize..^TrailerSize];
    }

    /// <summary>Refuses a reserved field that is not zero, so a later version can give it a meaning safely.</summary>
    public static void RequireReservedZero(uint value, string what, string field)
    {
        if (value != 0)
        {
            throw new MessageFormatException($"{what}: reserved field '{field}' is {value}, must be 0.");
        }
    }

    public static void WriteFloats(Span<byte> destination, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(destination);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], values[i]);
        }
    }

    /// <summary>Copies little-endian floats into <paramref name="values"/>, rejecting NaN and infinities.</summary>
    public static void ReadFiniteFloats(ReadOnlySpan<byte> source, Span<float> values, string what, string field)
    {
        if (BitConverter.IsLittleEndian)
        {
            source[..(values.Length * 4)].CopyTo(MemoryMarshal.AsBytes(values));
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new
                    MessageFormatException($"{what}: {field} value {i} is {values[i]}; only finite numbers are "
                        + "accepted.");
            }
        }
    }
}
