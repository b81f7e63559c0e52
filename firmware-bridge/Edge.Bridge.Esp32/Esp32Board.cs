using System.Device.Adc;
using System.Device.Spi;
using Edge.Bridge.Firmware;
using nanoFramework.Hardware.Esp32;

namespace Edge.Bridge.Esp32
{
    /// <summary>
    /// The bridge board: an MCP4922 dual 12-bit DAC on VSPI (the ESP32's own DACs are 8-bit), the ESP32's ADC1 inputs
    /// (12-bit), and the 64-bit microsecond timer. Thin on purpose: every decision lives in the portable core.
    /// </summary>
    public sealed class Esp32Board : IDacDriver, IAdcDriver, ITickClock
    {
        private readonly SpiDevice dac;
        private readonly AdcChannel[] inputs;
        private readonly byte[] word = new byte[2];

        /// <summary>Opens the converters on the pins wired in the README.</summary>
        public Esp32Board()
        {
            Configuration.SetPinFunction(Gpio.IO23, DeviceFunction.SPI2_MOSI);
            Configuration.SetPinFunction(Gpio.IO18, DeviceFunction.SPI2_CLOCK);
            Configuration.SetPinFunction(Gpio.IO19, DeviceFunction.SPI2_MISO);
            dac = SpiDevice.Create(new SpiConnectionSettings(2, 5) { ClockFrequency = 20000000, Mode = SpiMode.Mode0 });
            var adc = new AdcController();
            inputs = new AdcChannel[] { adc.OpenChannel(0), adc.OpenChannel(3) };
        }

        /// <inheritdoc />
        public int Channels => 2;

        /// <inheritdoc />
        public int Bits => 12;

        /// <inheritdoc />
        public long Ticks => (long)HighResTimer.GetCurrent();

        /// <inheritdoc />
        public long TicksPerSecond => 1000000;

        /// <inheritdoc />
        public void WaitUntil(long ticks)
        {
            while ((long)HighResTimer.GetCurrent() < ticks)
            {
            }
        }

        /// <inheritdoc />
        public void Write(int channel, int code)
        {
            // MCP4922 word: A/B, unbuffered reference, gain x1, active, 12 data bits; /LDAC is tied low.
            var command = (channel == 1 ? 0x8000 : 0) | 0x3000 | (code & 0x0FFF);
            word[0] = (byte)(command >> 8);
            word[1] = (byte)command;
            dac.Write(word);
        }

        /// <inheritdoc />
        public int Read(int channel) => inputs[channel].ReadValue();
    }
}
