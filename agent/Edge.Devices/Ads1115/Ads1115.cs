using System.Buffers.Binary;
using System.Device.I2c;
using Edge.Devices.Analog;

namespace Edge.Devices.Adc;

/// <summary>
/// Texas Instruments ADS1115: 16-bit delta-sigma ADC on I2C with a 4-input multiplexer, a programmable gain amplifier
/// (±0.256 … ±6.144 V), 8–860 samples per second, single-shot or continuous, and a comparator whose ALERT/RDY pin can
/// also signal "conversion ready".
/// </summary>
public sealed class Ads1115 : IDisposable
{
    /// <summary>Address with ADDR tied to GND (0x49: VDD, 0x4A: SDA, 0x4B: SCL).</summary>
    public const int DefaultI2cAddress = 0x48;

    /// <summary>Largest positive code (+FS − 1 LSB).</summary>
    public const int MaxCode = short.MaxValue;

    /// <summary>Most negative code (−FS).</summary>
    public const int MinCode = short.MinValue;

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;
    private readonly bool _shouldDispose;

    /// <summary>Creates a binding over <paramref name="device"/> and writes <paramref name="config"/> to the chip.</summary>
    /// <param name="device">The I2C device at the chip's address.</param>
    /// <param name="config">Initial configuration (the power-on defaults when null).</param>
    /// <param name="time">Clock used for conversion timeouts (a virtual one under emulation).</param>
    /// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
    public Ads1115(I2cDevice device, Ads1115Config? config = null, TimeProvider? time = null, bool shouldDispose = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _time = time ?? TimeProvider.System;
        _shouldDispose = shouldDispose;
        Configure(config ?? new Ads1115Config());
    }

    /// <summary>The configuration last written.</summary>
    public Ads1115Config Config { get; private set; } = new();

    /// <summary>Writes the config register; in continuous mode this (re)starts conversions.</summary>
    public void Configure(Ads1115Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        WriteRegister(Ads1115Register.Config, config.Encode());
        Config = config;
    }

    /// <summary>Reads a 16-bit register.</summary>
    public ushort ReadRegister(Ads1115Register register)
    {
        CheckRegister(register);
        Span<byte> pointer = [(byte)register];
        Span<byte> value = stackalloc byte[2];
        _device.WriteRead(pointer, value);
        return BinaryPrimitives.ReadUInt16BigEndian(value);
    }

    /// <summary>Writes a 16-bit register (MSB first).</summary>
    public void WriteRegister(Ads1115Register register, ushort value)
    {
        CheckRegister(register);
        Span<byte> frame = [(byte)register, (byte)(value >> 8), (byte)value];
        _device.Write(frame);
    }

    /// <summary>Whether no conversion is in progress (the OS bit reads 1).</summary>
    public bool IsIdle => (ReadRegister(Ads1115Register.Config) & Ads1115Config.OperationalStatusBit) != 0;

    /// <summary>
    /// One conversion's raw code: in single-shot mode starts a conversion and polls the OS bit until it is done; in
    /// continuous mode returns the latest result.
    /// </summary>
    /// <exception cref="TimeoutException">A single-shot conversion did not finish within twice its nominal time plus 2 ms.</exception>
    public short ReadRaw()
    {
        if (Config.Mode == Ads1115Mode.SingleShot)
        {
            WriteRegister(Ads1115Register.Config, Config.Encode(startConversion: true));
            var start = _time.GetTimestamp();
            var limit = (2 * ConversionTime(Config.DataRate)) + TimeSpan.FromMilliseconds(2);
            while (!IsIdle)
            {
                if (_time.GetElapsedTime(start) > limit)
                {
                    throw new TimeoutException($"ADS1115 at 0x{_device.ConnectionSettings.DeviceAddress:X2}: conversion not done after {limit.TotalMilliseconds:F1} ms (data rate {Ads1115Config.SamplesPerSecond(Config.DataRate)} SPS).");
                }
            }
        }

        return (short)ReadRegister(Ads1115Register.Conversion);
    }

    /// <summary>One conversion in volts at the configured full-scale range.</summary>
    public double ReadVolts() => ToVolts(ReadRaw(), Config.Pga);

    /// <summary>Volts of <paramref name="code"/> at <paramref name="pga"/>: code · FSR / 32768.</summary>
    public static double ToVolts(short code, Ads1115Pga pga) => code * Ads1115Config.FullScaleVolts(pga) / 32768.0;

    /// <summary>Nominal conversion time at <paramref name="rate"/>: one sample period.</summary>
    public static TimeSpan ConversionTime(Ads1115DataRate rate) => TimeSpan.FromSeconds(1.0 / Ads1115Config.SamplesPerSecond(rate));

    /// <summary>Sets the comparator thresholds (two's complement codes; lo must not exceed hi).</summary>
    public void WriteThresholds(short lo, short hi)
    {
        if (lo > hi)
        {
            throw new ArgumentException($"ADS1115 low threshold {lo} is above the high threshold {hi}.", nameof(lo));
        }

        WriteRegister(Ads1115Register.LoThresh, (ushort)lo);
        WriteRegister(Ads1115Register.HiThresh, (ushort)hi);
    }

    /// <summary>
    /// Turns ALERT/RDY into a conversion-ready pin (datasheet 9.3.8: Hi_thresh MSB = 1, Lo_thresh MSB = 0, comparator
    /// enabled): it pulses after every conversion.
    /// </summary>
    public void EnableConversionReadyPin(Ads1115ComparatorQueue queue = Ads1115ComparatorQueue.AssertAfterOne)
    {
        if (queue == Ads1115ComparatorQueue.Disable)
        {
            throw new ArgumentException("ALERT/RDY as conversion-ready needs the comparator enabled (COMP_QUE ≠ 11).", nameof(queue));
        }

        WriteRegister(Ads1115Register.HiThresh, 0x8000);
        WriteRegister(Ads1115Register.LoThresh, 0x0000);
        Configure(Config with { ComparatorQueue = queue });
    }

    /// <summary>A view of one input as a code source for layer backends; single-ended inputs span codes 0 … 32767.</summary>
    public IAdcChannel Channel(Ads1115Mux mux)
    {
        if ((uint)mux > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(mux), mux, "ADS1115 MUX setting must be one of the eight inputs.");
        }

        return new ChannelView(this, mux);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_shouldDispose)
        {
            _device.Dispose();
        }
    }

    private static void CheckRegister(Ads1115Register register)
    {
        if ((uint)register > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(register), register, "ADS1115 has four registers (pointer 0–3).");
        }
    }

    private sealed class ChannelView(Ads1115 chip, Ads1115Mux mux) : IAdcChannel
    {
        public int MinCode => mux >= Ads1115Mux.Ain0 ? 0 : Ads1115.MinCode;

        public int MaxCode => Ads1115.MaxCode;

        public double MaxSampleRateHz => Ads1115Config.SamplesPerSecond(chip.Config.DataRate);

        public int Read()
        {
            if (chip.Config.Mux != mux)
            {
                chip.Configure(chip.Config with { Mux = mux });
            }

            return chip.ReadRaw();
        }
    }
}
