namespace Edge.Domain.Messaging;

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the zlib/Ethernet checksum) over byte spans.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Returns the CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        var table = Table;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < table.Length; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
