using System.Device.I2c;

namespace Edge.Devices.Emulation;

/// <summary>
/// Register-level ADS1115: the address pointer, the config register with its OS bit, single-shot and continuous
/// conversions that take one sample period (1 / data rate) of virtual time, the PGA's code ↔ volts transfer
/// (code = V · 32768 / FSR, clipped to −32768 … 32767), and the comparator driving <see cref="AlertAsserted"/>
/// (traditional, window, latching, queue, and conversion-ready mode). The input is taken as it stands when a
/// conversion completes.
/// </summary>
public sealed class Ads1115Emulator : EmulatedI2cDevice
{
    private static readonly int[] Rates = [8, 16, 32, 64, 128, 250, 475, 860];
    private static readonly double[] FullScales = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
    private readonly IAnalogSource[] _inputs = new IAnalogSource[4];
    private int _pointer;
    private ushort _config = 0x8583;
    private short _conversion;
    private short _loThresh = short.MinValue;
    private short _hiThresh = short.MaxValue;
    private long _conversionDone = -1;
    private int _queueCount;
    private bool _alert;

    /// <summary>Creates a powered-up chip with every input grounded.</summary>
    /// <param name="clock">The bench's virtual clock.</param>
    /// <param name="address">I2C address (0x48–0x4B).</param>
    /// <param name="busClockHz">I2C clock.</param>
    public Ads1115Emulator(VirtualClock clock, int address = 0x48, double busClockHz = 400_000)
        : base(new I2cConnectionSettings(1, address), clock, busClockHz)
    {
        if (address is < 0x48 or > 0x4B)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address,
                "ADS1115 answers at 0x48–0x4B (ADDR to GND, VDD, SDA or SCL).");
        }

        var ground = new ConstantVoltage(0);
        for (var i = 0; i < _inputs.Length; i++)
        {
            _inputs[i] = ground;
        }
    }

    /// <summary>Whether the ALERT/RDY pin is in its active state (its polarity follows COMP_POL).</summary>
    public bool AlertAsserted => _alert;

    /// <summary>
    /// A fault injected for tests and fault benches; may be changed from any thread while the chip runs.
    /// </summary>
    public ConverterFault Fault { get; set; }

    /// <summary>Conversions completed.</summary>
    public long Conversions { get; private set; }

    /// <summary>Wires input AIN<paramref name="channel"/> to <paramref name="source"/>.</summary>
    public void Connect(int channel, IAnalogSource source)
    {
        if ((uint)channel > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "ADS1115 has inputs AIN0 to AIN3.");
        }

        _inputs[channel] = source ?? throw new ArgumentNullException(nameof(source));
    }

    private bool Continuous => (_config & 0x0100) == 0;

    private long SamplePeriodTicks => Clock.TimestampFrequency / Rates[(_config >> 5) & 0b111];

    /// <inheritdoc />
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        Settle();
        if (data.IsEmpty)
        {
            return;
        }

        if (data[0] > 3)
        {
            throw Nack($"pointer byte 0x{data[0]:X2} names no register (0–3).");
        }

        _pointer = data[0];
        if (data.Length == 1)
        {
            return;
        }

        if (data.Length != 3)
        {
            throw Nack($"a register write is a pointer and 2 bytes, got {data.Length} bytes.");
        }

        var value = (ushort)((data[1] << 8) | data[2]);
        switch (_pointer)
        {
            case 0:
                throw Nack("the conversion register is read-only.");
            case 1:
                WriteConfig(value);
                break;
            case 2:
                _loThresh = (short)value;
                break;
            default:
                _hiThresh = (short)value;
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnRead(Span<byte> buffer)
    {
        Settle();
        var value = _pointer switch
        {
            0 => (ushort)_conversion,
            1 => (ushort)((_config & 0x7FFF) | (Converting ? 0 : 0x8000)),
            2 => (ushort)_loThresh,
            _ => (ushort)_hiThresh,
        };

        if (_pointer == 0 && (_config & 0b100) != 0)
        {
            // A latching comparator releases ALERT/RDY when the conversion register is read.
            _alert = false;
        }

        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (i % 2) == 0 ? (byte)(value >> 8) : (byte)value;
        }
    }

    private bool Converting => _conversionDone >= 0 && Clock.GetTimestamp() < _conversionDone;

    private void WriteConfig(ushort value)
    {
        // A new comparator setting starts its queue afresh; starting a conversion does not.
        if (((_config ^ value) & 0x1F) != 0)
        {
            _queueCount = 0;
            _alert = false;
        }

        _config = (ushort)(value & 0x7FFF);
        if (Continuous || (value & 0x8000) != 0)
        {
            _conversionDone = Clock.GetTimestamp() + SamplePeriodTicks;
        }
    }

    /// <summary>Completes every conversion whose time has come.</summary>
    private void Settle()
    {
        while (_conversionDone >= 0 && Clock.GetTimestamp() >= _conversionDone)
        {
            Complete();
            _conversionDone = Continuous ? _conversionDone + SamplePeriodTicks : -1;
            if (Continuous && Clock.GetTimestamp() - _conversionDone > 4 * SamplePeriodTicks)
            {
                // Far behind (a long idle stretch): only the latest conversion is observable.
                _conversionDone = Clock.GetTimestamp() - (Clock.GetTimestamp() % SamplePeriodTicks) + SamplePeriodTicks;
            }
        }
    }

    private void Complete()
    {
        var mux = (_config >> 12) & 0b111;
        var volts = mux switch
        {
            0b000 => _inputs[0].ReadVolts() - _inputs[1].ReadVolts(),
            0b001 => _inputs[0].ReadVolts() - _inputs[3].ReadVolts(),
            0b010 => _inputs[1].ReadVolts() - _inputs[3].ReadVolts(),
            0b011 => _inputs[2].ReadVolts() - _inputs[3].ReadVolts(),
            _ => _inputs[mux - 4].ReadVolts(),
        };

        var fullScale = FullScales[(_config >> 9) & 0b111];
        _conversion = Fault switch
        {
            ConverterFault.Stuck => _conversion,
            ConverterFault.Saturated => short.MaxValue,
            _ => (short)Math.Clamp(Math.Round(volts * 32768.0 / fullScale), short.MinValue, short.MaxValue),
        };
        Conversions++;
        UpdateComparator();
    }

    private void UpdateComparator()
    {
        var queue = _config & 0b11;
        if (queue == 0b11)
        {
            _alert = false;
            return;
        }

        if (_hiThresh < 0 && _loThresh >= 0)
        {
            // Conversion-ready mode (Hi_thresh MSB 1, Lo_thresh MSB 0): assert after every conversion.
            _alert = true;
            return;
        }

        var window = (_config & 0b1_0000) != 0;
        var beyond = _conversion > _hiThresh || (window && _conversion < _loThresh);
        _queueCount = beyond ? _queueCount + 1 : 0;
        var needed = queue switch { 0b00 => 1, 0b01 => 2, _ => 4 };
        if (_queueCount >= needed)
        {
            _alert = true;
        }
        else if (!window && (_config & 0b100) == 0 && _conversion < _loThresh)
        {
            // Traditional, non-latching: de-asserts once below the low threshold (hysteresis).
            _alert = false;
        }
        else if (window && (_config & 0b100) == 0 && !beyond)
        {
            _alert = false;
        }
    }
}
