namespace Edge.Bridge.Protocol;

/// <summary>CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF).</summary>
public static class Crc32
{
    /// <summary>CRC of the ASCII string "123456789", the standard check value of this CRC.</summary>
    public const uint CheckValue = 0xCBF43926;

    private const uint ReflectedPolynomial = 0xEDB88320;

    // A 1 KiB table: a byte per step instead of a bit per step, affordable on the ESP32.
    private static readonly uint[] Table = BuildTable();

    /// <summary>Computes the CRC-32 of a byte range.</summary>
    /// <param name="data">Bytes to checksum.</param>
    /// <param name="offset">First byte.</param>
    /// <param name="count">Number of bytes.</param>
    /// <returns>The CRC-32.</returns>
    public static uint Compute(byte[] data, int offset, int count)
    {
        var crc = 0xFFFFFFFFu;
        for (var i = offset; i < offset + count; i++)
        {
            crc = Table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? ReflectedPolynomial ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
