using System;
using System.Diagnostics;
using System.IO.Ports;
using System.Threading;
using Edge.Bridge.Firmware;
using nanoFramework.Hardware.Esp32;

namespace Edge.Bridge.Esp32
{
    /// <summary>The bridge's main loop: UART bytes in, firmware poll, repeat.</summary>
    public static class Program
    {
        /// <summary>Entry point.</summary>
        public static void Main()
        {
            Configuration.SetPinFunction(Gpio.IO17, DeviceFunction.COM2_TX);
            Configuration.SetPinFunction(Gpio.IO16, DeviceFunction.COM2_RX);
            var port = new SerialPort("COM2", 921600) { ReadBufferSize = 4096 };
            port.Open();

            var board = new Esp32Board();
            var settings = new FirmwareSettings
            {
                // Managed code on the ESP32 holds about 20 kS/s with one SPI write and one ADC read per sample.
                MaxSampleRateHz = 20000,
                BufferSamples = 16384,
                MaxPayload = 1024,
                SafeCode = 2048,
                WatchdogTimeoutMs = 1000,
            };
            var firmware = new BridgeFirmware(settings, board, board, board, new UartSink(port),
                (ushort)HighResTimer.GetCurrent());
            var buffer = new byte[512];
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var available = port.BytesToRead;
                if (available > 0)
                {
                    var read = port.Read(buffer, 0, available < buffer.Length ? available : buffer.Length);
                    firmware.Receive(buffer, 0, read, clock.ElapsedMilliseconds);
                }

                firmware.Poll(clock.ElapsedMilliseconds);
                if (available == 0)
                {
                    Thread.Sleep(1);
                }
            }
        }
    }
}
