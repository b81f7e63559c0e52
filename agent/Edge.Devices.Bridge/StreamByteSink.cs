using Edge.Bridge.Protocol;

namespace Edge.Devices.Bridge;

/// <summary>Writes the link's frames to the serial port or socket stream, counting every byte put on the line.</summary>
internal sealed class StreamByteSink(Stream stream) : IByteSink
{
    public long BytesWritten { get; private set; }

    public void Write(byte[] buffer, int offset, int count)
    {
        stream.Write(buffer, offset, count);
        BytesWritten += count;
    }
}
