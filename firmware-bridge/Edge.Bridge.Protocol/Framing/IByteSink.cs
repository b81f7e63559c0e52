namespace Edge.Bridge.Protocol;

/// <summary>Where encoded bytes go: the UART transmitter, or a simulated channel in tests.</summary>
public interface IByteSink
{
    /// <summary>Transmits bytes. A link writes each frame, delimiter included, in one call.</summary>
    /// <param name="buffer">Source bytes.</param>
    /// <param name="offset">First byte.</param>
    /// <param name="count">Number of bytes.</param>
    void Write(byte[] buffer, int offset, int count);
}
