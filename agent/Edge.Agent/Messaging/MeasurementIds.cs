using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Edge.Agent.Messaging;

/// <summary>
/// Makes RFC 9562 version 7 ids (48-bit unix-ms timestamp, then 74 random bits) like <see
/// cref="Guid.CreateVersion7(DateTimeOffset)"/>,
/// but draws the random bits for 256 ids at a time: <c>Guid.CreateVersion7</c> asks the OS for 16 random bytes per id
/// (a system call each on Linux), which was a fifth of the cost of recording a measurement. Not thread-safe.
/// </summary>
internal sealed class MeasurementIds
{
    private const int RandomBytesPerId = 10;
    private const int IdsPerRefill = 256;
    private readonly byte[] _random = new byte[RandomBytesPerId * IdsPerRefill];
    private int _next = IdsPerRefill;

    /// <summary>A new version 7 id for <paramref name="timestamp"/>.</summary>
    public Guid Next(DateTimeOffset timestamp)
    {
        if (_next == IdsPerRefill)
        {
            RandomNumberGenerator.Fill(_random);
            _next = 0;
        }

        var random = _random.AsSpan(_next++ * RandomBytesPerId, RandomBytesPerId);
        Span<byte> id = stackalloc byte[16];
        var milliseconds = (ulong)timestamp.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt64BigEndian(id, milliseconds << 16);
        id[6] = (byte)(0x70 | (random[0] & 0x0F));
        id[7] = random[1];
        id[8] = (byte)(0x80 | (random[2] & 0x3F));
        random[3..].CopyTo(id[9..]);
        return new Guid(id, bigEndian: true);
    }
}
