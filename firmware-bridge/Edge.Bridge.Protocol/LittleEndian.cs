namespace Edge.Bridge.Protocol;

/// <summary>Little-endian field access on byte arrays (nanoFramework has no BinaryPrimitives).</summary>
public static class LittleEndian
{
    /// <summary>Reads an unsigned 16-bit value.</summary>
    /// <param name="buffer">Source bytes.</param>
    /// <param name="offset">Position of the low byte.</param>
    /// <returns>The value.</returns>
    public static ushort ReadUInt16(byte[] buffer, int offset) => (ushort)(buffer[offset] | (buffer[offset + 1] << 8));

    /// <summary>Reads an unsigned 32-bit value.</summary>
    /// <param name="buffer">Source bytes.</param>
    /// <param name="offset">Position of the lowest byte.</param>
    /// <returns>The value.</returns>
    public static uint ReadUInt32(byte[] buffer, int offset) =>
        buffer[offset] | ((uint)buffer[offset + 1] << 8) | ((uint)buffer[offset + 2] << 16) | ((uint)buffer[offset + 3]
            << 24);

    /// <summary>Writes an unsigned 16-bit value.</summary>
    /// <param name="buffer">Destination bytes.</param>
    /// <param name="offset">Position of the low byte.</param>
    /// <param name="value">The value.</param>
    public static void WriteUInt16(byte[] buffer, int offset, ushort value)
    {
        buffer[offset] = (byte)value;
        buffer[offset + 1] = (byte)(value >> 8);
    }

    /// <summary>Writes an unsigned 32-bit value.</summary>
    /// <param name="buffer">Destination bytes.</param>
    /// <param name="offset">Position of the lowest byte.</param>
    /// <param name="value">The value.</param>
    public static void WriteUInt32(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)value;
        buffer[offset + 1] = (byte)(value >> 8);
        buffer[offset + 2] = (byte)(value >> 16);
        buffer[offset + 3] = (byte)(value >> 24);
    }
}
