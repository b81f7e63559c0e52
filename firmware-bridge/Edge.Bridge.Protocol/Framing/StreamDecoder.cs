namespace Edge.Bridge.Protocol;

/// <summary>
/// Splits a byte stream that arrives in arbitrary chunks into frames at 0x00 delimiters. Bad bytes never throw:
/// each bad block is reported to the receiver and counted, and decoding resumes after the next 0x00.
/// </summary>
public sealed class StreamDecoder
{
    private readonly IFrameReceiver receiver;
    private readonly byte[] encoded;
    private readonly byte[] decoded;
    private int encodedLength;
    private bool discarding;

    /// <summary>Creates a decoder.</summary>
    /// <param name="receiver">Gets frames and error reports.</param>
    /// <param name="maxPayload">Payload limit; also sizes the buffers (fixed, no growth).</param>
    public StreamDecoder(IFrameReceiver receiver, int maxPayload)
    {
        this.receiver = receiver;
        MaxPayload = maxPayload;
        encoded = new byte[Cobs.MaxEncodedLength(FrameCodec.Overhead + maxPayload)];
        decoded = new byte[encoded.Length];
    }

    /// <summary>Payload limit the buffers were sized for.</summary>
    public int MaxPayload { get; }

    /// <summary>Frames decoded successfully.</summary>
    public int FramesDecoded { get; private set; }

    /// <summary>Blocks whose CRC did not match.</summary>
    public int CrcFailures { get; private set; }

    /// <summary>Blocks that were not valid COBS.</summary>
    public int CobsFailures { get; private set; }

    /// <summary>Blocks longer than the largest frame (discarded up to the next delimiter).</summary>
    public int OversizeBlocks { get; private set; }

    /// <summary>Blocks with a good CRC but a bad version, length or type, and blocks too short to be a frame.</summary>
    public int OtherFailures { get; private set; }

    /// <summary>Feeds received bytes.</summary>
    /// <param name="data">Received bytes.</param>
    /// <param name="offset">First byte.</param>
    /// <param name="count">Number of bytes.</param>
    public void Push(byte[] data, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            var value = data[i];
            if (value == 0)
            {
                EndBlock();
            }
            else if (discarding)
            {
                continue;
            }
            else if (encodedLength == encoded.Length)
            {
                discarding = true;
                OversizeBlocks++;
                receiver.OnBadFrame(ProtocolError.FrameTooLong,
                    $"no delimiter within {encoded.Length} bytes; discarding to the next 0x00");
            }
            else
            {
                encoded[encodedLength++] = value;
            }
        }
    }

    /// <summary>Drops a partially received block, e.g. after the UART was reopened.</summary>
    public void Reset()
    {
        encodedLength = 0;
        discarding = false;
    }

    private void EndBlock()
    {
        var length = encodedLength;
        var wasDiscarding = discarding;
        Reset();

        // Back-to-back delimiters are idle fill, and an oversize block was already reported.
        if (length == 0 || wasDiscarding)
        {
            return;
        }

        var frameLength = Cobs.TryDecode(encoded, 0, length, decoded, 0);
        if (frameLength < 0)
        {
            CobsFailures++;
            receiver.OnBadFrame(ProtocolError.InvalidCobs, $"invalid COBS in a {length}-byte block");
            return;
        }

        var result = FrameCodec.TryDecode(decoded, 0, frameLength, MaxPayload);
        if (result.Frame is not null)
        {
            FramesDecoded++;
            receiver.OnFrame(result.Frame);
            return;
        }

        if (result.Error == ProtocolError.CrcMismatch)
        {
            CrcFailures++;
        }
        else
        {
            OtherFailures++;
        }

        receiver.OnBadFrame(result.Error, result.Description);
    }
}
