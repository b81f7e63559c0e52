using Edge.Bridge.Protocol;

namespace Edge.Devices.Bridge;

/// <summary>
/// Writes the link's frames to the serial port or socket stream, counting every byte put on the line. A write that
/// fails (cable pulled, socket closed, port disposed mid-write) is recorded instead of thrown, so it never escapes
/// from inside the link; the session checks <see cref="Failure"/> after each link call and reconnects.
/// </summary>
internal sealed class StreamByteSink(Stream stream, BridgeCounters counters) : IByteSink
{
    /// <summary>Why writing failed, or null.</summary>
    public string? Failure { get; private set; }

    public void Write(byte[] buffer, int offset, int count)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            stream.Write(buffer, offset, count);
            counters.AddWritten(count);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException
            or TimeoutException or UnauthorizedAccessException)
        {
            Failure = $"writing to the bridge failed: {e.Message}";
        }
    }
}
