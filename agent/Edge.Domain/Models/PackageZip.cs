using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Edge.Domain.Models;

/// <summary>One entry as the zip's central directory declares it.</summary>
internal sealed record PackageZipEntry(string Name, bool Deflated, long CompressedSize, long Length, long HeaderOffset);

/// <summary>
/// A bounded reader of the zip container of a package: it checks the declared sizes (file length, entry count,
/// central directory) before reading anything they bound, lists the entries from the central directory alone, and
/// opens one entry at a time as a stream limited to its compressed bytes. Zip64, encryption, multi-disk archives and
/// methods other than stored and deflate are refused: a package never needs them.
/// </summary>
internal sealed class PackageZip
{
    private const uint EndSignature = 0x06054b50;
    private const uint DirectorySignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int EndLength = 22;
    private const int DirectoryRecordLength = 46;
    private const int LocalHeaderLength = 30;
    private const int MaxCommentLength = ushort.MaxValue;

    // Room for every allowed entry with a long name and extra field; a larger directory is hostile.
    private const int MaxDirectoryBytes = ModelPackageLayout.MaxEntries * 1024;

    private static readonly UTF8Encoding Strict =
        new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly long _directoryStart;

    private PackageZip(Stream stream, long directoryStart, Dictionary<string, PackageZipEntry> entries)
    {
        _stream = stream;
        _directoryStart = directoryStart;
        Entries = entries;
    }

    /// <summary>The entries by name.</summary>
    public IReadOnlyDictionary<string, PackageZipEntry> Entries { get; }

    /// <summary>
    /// Reads the directory of the seekable <paramref name="stream"/>, refusing by declared sizes first.
    /// </summary>
    public static PackageZip Open(Stream stream)
    {
        var length = stream.Length;
        if (length > ModelPackageLayout.MaxPackageBytes)
        {
            throw new ModelPackageException($"Package is {length} bytes; the limit is "
                + $"{ModelPackageLayout.MaxPackageBytes}.");
        }

        if (length < EndLength)
        {
            throw Corrupt($"it is only {length} bytes");
        }

        var tail = new byte[(int)Math.Min(length, EndLength + MaxCommentLength)];
        ReadAt(stream, length - tail.Length, tail);
        var end = FindEnd(tail);
        var record = tail.AsSpan(end);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        var directorySize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        var directoryStart = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var endPosition = length - tail.Length + end;
        CheckEnd(record, tail.AsSpan(0, end), count, directorySize, directoryStart, endPosition);

        var directory = new byte[directorySize];
        ReadAt(stream, directoryStart, directory);
        return new PackageZip(stream, directoryStart, ReadDirectory(directory, count));
    }

    /// <summary>
    /// Opens <paramref name="entry"/>'s content as a stream (inflating when deflated), read only up to its compressed
    /// size.
    /// </summary>
    public Stream OpenEntry(PackageZipEntry entry)
    {
        if (entry.HeaderOffset + LocalHeaderLength > _directoryStart)
        {
            throw Corrupt($"entry '{entry.Name}' starts inside the central directory");
        }

        Span<byte> header = stackalloc byte[LocalHeaderLength];
        ReadAt(_stream, entry.HeaderOffset, header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != LocalSignature)
        {
            throw Corrupt($"entry '{entry.Name}' has no local header where the directory says");
        }

        var dataStart = entry.HeaderOffset + LocalHeaderLength + U16(header, 26) + U16(header, 28);
        if (dataStart + entry.CompressedSize > _directoryStart)
        {
            throw Corrupt($"entry '{entry.Name}' runs into the central directory");
        }

        var raw = new BoundedReadStream(_stream, dataStart, entry.CompressedSize);
        return entry.Deflated ? new DeflateStream(raw, CompressionMode.Decompress) : raw;
    }

    private static int FindEnd(ReadOnlySpan<byte> tail)
    {
        // The last record whose comment reaches exactly to the end of the file: no bytes may follow the archive.
        for (var at = tail.Length - EndLength; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail[at..]) == EndSignature
                && at + EndLength + BinaryPrimitives.ReadUInt16LittleEndian(tail[(at + 20)..]) == tail.Length)
            {
                return at;
            }
        }

        throw Corrupt("no end of central directory record (truncated, or not a zip file)");
    }

    private static void CheckEnd(
        ReadOnlySpan<byte> record,
        ReadOnlySpan<byte> before,
        ushort count,
        uint directorySize,
        uint directoryStart,
        long endPosition)
    {
        var zip64 = count == ushort.MaxValue || directorySize == uint.MaxValue || directoryStart == uint.MaxValue
            || (before.Length >= 20 && BinaryPrimitives.ReadUInt32LittleEndian(before[^20..]) == Zip64LocatorSignature);
        if (zip64)
        {
            throw new ModelPackageException("Package uses Zip64, which a package never needs (it is at most "
                + $"{ModelPackageLayout.MaxEntries} entries and {ModelPackageLayout.MaxPackageBytes >> 20} MiB).");
        }

        if (U16(record, 4) != 0 || U16(record, 6) != 0 || U16(record, 8) != count)
        {
            throw Corrupt("it spans several disks");
        }

        if (count > ModelPackageLayout.MaxEntries)
        {
            throw new ModelPackageException($"Package holds {count} entries; the limit is "
                + $"{ModelPackageLayout.MaxEntries}.");
        }

        if (directorySize > MaxDirectoryBytes || directoryStart + (long)directorySize != endPosition)
        {
            throw Corrupt($"its central directory ({directorySize} bytes at {directoryStart}) does not end where the "
                + $"end record starts ({endPosition}) or exceeds {MaxDirectoryBytes} bytes");
        }
    }

    private static Dictionary<string, PackageZipEntry> ReadDirectory(ReadOnlySpan<byte> directory, int count)
    {
        var entries = new Dictionary<string, PackageZipEntry>(count, StringComparer.Ordinal);
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (directory.Length - at < DirectoryRecordLength
                || BinaryPrimitives.ReadUInt32LittleEndian(directory[at..]) != DirectorySignature)
            {
                throw Corrupt($"central directory record {i} is missing");
            }

            var record = directory[at..];
            var nameLength = U16(record, 28);
            var recordLength = DirectoryRecordLength + nameLength + U16(record, 30) + U16(record, 32);
            if (recordLength > record.Length)
            {
                throw Corrupt($"central directory record {i} runs past the directory");
            }

            var entry = Entry(record, nameLength, i);
            if (!entries.TryAdd(entry.Name, entry))
            {
                throw new ModelPackageException($"Package holds '{entry.Name}' twice.");
            }

            at += recordLength;
        }

        return at == directory.Length ? entries : throw Corrupt("its central directory holds more than its declared "
            + "entries");
    }

    private static PackageZipEntry Entry(ReadOnlySpan<byte> record, int nameLength, int index)
    {
        string name;
        try
        {
            name = Strict.GetString(record.Slice(DirectoryRecordLength, nameLength));
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelPackageException($"Package entry {index} has a name that is not UTF-8.", e);
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        var compressed = BinaryPrimitives.ReadUInt32LittleEndian(record[20..]);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(record[42..]);
        if ((flags & 1) != 0 || method is not (0 or 8))
        {
            throw new ModelPackageException($"Package entry '{name}' is encrypted or uses compression method {method}; "
                + "packages use stored or deflate.");
        }

        if (compressed == uint.MaxValue || length == uint.MaxValue || offset == uint.MaxValue)
        {
            throw new ModelPackageException($"Package entry '{name}' uses Zip64 sizes, which a package never needs.");
        }

        return new PackageZipEntry(name, method == 8, compressed, length, offset);
    }

    private static ushort U16(ReadOnlySpan<byte> bytes, int offset)
        => BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);

    private static void ReadAt(Stream stream, long position, Span<byte> buffer)
    {
        stream.Position = position;
        stream.ReadExactly(buffer);
    }

    private static ModelPackageException Corrupt(string why)
        => new($"Package is not a readable zip file (truncated or corrupt): {why}.");
}
