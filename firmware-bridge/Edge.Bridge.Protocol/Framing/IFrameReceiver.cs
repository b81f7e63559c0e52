namespace Edge.Bridge.Protocol;

/// <summary>Receives what a <see cref="StreamDecoder"/> finds in the byte stream.</summary>
public interface IFrameReceiver
{
    /// <summary>A frame passed COBS, CRC, version, length and type checks.</summary>
    /// <param name="frame">The frame.</param>
    void OnFrame(Frame frame);

    /// <summary>Bytes between two delimiters were not a valid frame.</summary>
    /// <param name="error">The error category.</param>
    /// <param name="description">What exactly is wrong.</param>
    void OnBadFrame(ProtocolError error, string description);
}
