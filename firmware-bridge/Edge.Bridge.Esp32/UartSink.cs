using System.IO.Ports;
using Edge.Bridge.Protocol;

namespace Edge.Bridge.Esp32
{
    /// <summary>The link's transmitter: frames go out on the UART wired to the Pi.</summary>
    public sealed class UartSink : IByteSink
    {
        private readonly SerialPort port;

        /// <summary>Wraps an open port.</summary>
        public UartSink(SerialPort port)
        {
            this.port = port;
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count) => port.Write(buffer, offset, count);
    }
}
