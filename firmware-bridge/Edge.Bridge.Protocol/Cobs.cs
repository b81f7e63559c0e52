namespace Edge.Bridge.Protocol;

/// <summary>
/// Consistent Overhead Byte Stuffing: rewrites a block so it contains no 0x00 byte, which leaves 0x00 free
/// to delimit frames on the UART.
/// </summary>
public static class Cobs
{
    /// <summary>Longest encoding of <paramref name="length"/> bytes (one code byte per 254 data bytes, plus
    /// one).</summary>
    /// <param name="length">Number of unencoded bytes.</param>
    /// <returns>Upper bound on the encoded length, excluding the 0x00 delimiter.</returns>
    public static int MaxEncodedLength(int length) => length + (length / 254) + 1;

    /// <summary>Encodes <paramref name="count"/> bytes into <paramref name="destination"/> (no delimiter is
    /// written).</summary>
    /// <param name="source">Bytes to encode.</param>
    /// <param name="offset">First byte of <paramref name="source"/> to encode.</param>
    /// <param name="count">Number of bytes to encode.</param>
    /// <param name="destination">Receives the encoding; needs <see cref="MaxEncodedLength"/> free bytes.</param>
    /// <param name="destinationOffset">Where the encoding starts in <paramref name="destination"/>.</param>
    /// <returns>Number of encoded bytes written.</returns>
    public static int Encode(byte[] source, int offset, int count, byte[] destination, int destinationOffset)
    {
        var codeIndex = destinationOffset;
        var write = destinationOffset + 1;
        byte code = 1;
        for (var i = offset; i < offset + count; i++)
        {
            var value = source[i];
            if (value != 0)
            {
                destination[write++] = value;
                code++;
            }

            // A zero closes the current block; so does a full block of 254 data bytes (code 0xFF),
            // unless it ends the input, where the trailing block is closed below anyway.
            if (value == 0 || (code == 0xFF && i + 1 < offset + count))
            {
                destination[codeIndex] = code;
                codeIndex = write++;
                code = 1;
            }
        }

        destination[codeIndex] = code;
        return write - destinationOffset;
    }

    /// <summary>Encodes a whole array.</summary>
    /// <param name="data">Bytes to encode.</param>
    /// <returns>The encoding, without delimiter.</returns>
    public static byte[] Encode(byte[] data)
    {
        var buffer = new byte[MaxEncodedLength(data.Length)];
        var length = Encode(data, 0, data.Length, buffer, 0);
        return Truncate(buffer, length);
    }

    /// <summary>
    /// Decodes a COBS block without throwing; the stream decoder uses this on untrusted wire bytes.
    /// </summary>
    /// <param name="source">Encoded bytes (without the 0x00 delimiter).</param>
    /// <param name="offset">First encoded byte.</param>
    /// <param name="count">Number of encoded bytes.</param>
    /// <param name="destination">Receives the decoded bytes; <paramref name="count"/> bytes always suffice.</param>
    /// <param name="destinationOffset">Where decoded bytes start.</param>
    /// <returns>Number of decoded bytes, or -1 if the block is not valid COBS (a zero byte or a code running past the
    /// end).</returns>
    public static int TryDecode(byte[] source, int offset, int count, byte[] destination, int destinationOffset)
    {
        var read = offset;
        var end = offset + count;
        var write = destinationOffset;
        while (read < end)
        {
            int code = source[read++];
            if (code == 0 || read + code - 1 > end)
            {
                return -1;
            }

            for (var i = 1; i < code; i++)
            {
                var value = source[read++];
                if (value == 0)
                {
                    return -1;
                }

                destination[write++] = value;
            }

            // Every block except a full one (0xFF) or the last one stands for a data byte 0x00.
            if (code != 0xFF && read < end)
            {
                destination[write++] = 0;
            }
        }

        return write - destinationOffset;
    }

    /// <summary>Decodes a whole COBS block.</summary>
    /// <param name="encoded">Encoded bytes (without the 0x00 delimiter).</param>
    /// <returns>The decoded bytes.</returns>
    /// <exception cref="ProtocolException">The block is not valid COBS.</exception>
    public static byte[] Decode(byte[] encoded)
    {
        var buffer = new byte[encoded.Length];
        var length = TryDecode(encoded, 0, encoded.Length, buffer, 0);
        if (length < 0)
        {
            throw new ProtocolException(ProtocolError.InvalidCobs,
                "invalid COBS block: a code byte runs past the end or the block contains 0x00");
        }

        return Truncate(buffer, length);
    }

    private static byte[] Truncate(byte[] buffer, int length)
    {
        var result = new byte[length];
        System.Array.Copy(buffer, result, length);
        return result;
    }
}
