using System.Device.I2c;

namespace Edge.Devices.Emulation;

/// <summary>
/// Register-level MCP4725: fast-mode and C2:C1:C0 write commands, the 5-byte read, power-down modes, and an EEPROM
/// write
/// that keeps RDY/BSY low for <see cref="EepromWriteTime"/> of virtual time, during which further writes are not
/// acknowledged. The output (V_DD · code / 4096, 0 V when powered down) goes to the wired sink.
/// </summary>
public sealed class Mcp4725Emulator : EmulatedI2cDevice
{
    private readonly double _supplyVolts;
    private IAnalogSink? _output;
    private int _code;
    private int _powerDown;
    private int _eepromCode;
    private int _eepromPowerDown;
    private long _busyUntil;

    /// <summary>Creates a powered-up chip whose EEPROM holds code 0, normal mode.</summary>
    /// <param name="clock">The bench's virtual clock.</param>
    /// <param name="supplyVolts">V_DD, the reference (2.7–5.5 V).</param>
    /// <param name="address">I2C address.</param>
    /// <param name="busClockHz">I2C clock.</param>
    public Mcp4725Emulator(VirtualClock clock, double supplyVolts = 3.3, int address = 0x60,
        double busClockHz = 400_000)
        : base(new I2cConnectionSettings(1, address), clock, busClockHz)
    {
        if (!(supplyVolts is >= 2.7 and <= 5.5))
        {
            throw new ArgumentOutOfRangeException(nameof(supplyVolts), supplyVolts,
                "MCP4725 runs from 2.7 V to 5.5 V.");
        }

        _supplyVolts = supplyVolts;
    }

    /// <summary>Time RDY/BSY stays low after an EEPROM write (datasheet: 25 ms typical, 50 ms max).</summary>
    public TimeSpan EepromWriteTime { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The DAC register's code.</summary>
    public int Code => _code;

    /// <summary>The code stored in EEPROM.</summary>
    public int EepromCode => _eepromCode;

    /// <summary>The output voltage now.</summary>
    public double OutputVolts => _powerDown != 0 ? 0.0 : _supplyVolts * _code / 4096.0;

    /// <summary>Wires the output to <paramref name="sink"/> and drives it with the present level.</summary>
    public void Connect(IAnalogSink sink)
    {
        _output = sink ?? throw new ArgumentNullException(nameof(sink));
        _output.SetVolts(OutputVolts);
    }

    /// <summary>Power cycle: the DAC register is loaded from EEPROM.</summary>
    public void PowerCycle()
    {
        _code = _eepromCode;
        _powerDown = _eepromPowerDown;
        _busyUntil = 0;
        _output?.SetVolts(OutputVolts);
    }

    private bool Busy => Clock.GetTimestamp() < _busyUntil;

    /// <inheritdoc />
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (Busy)
        {
            throw Nack("EEPROM write in progress (RDY/BSY low).");
        }

        if ((data[0] & 0xC0) == 0)
        {
            // Fast mode: repeated 2-byte words 0 0 PD1 PD0 D11..D8, D7..D0.
            for (var i = 0; i + 1 < data.Length; i += 2)
            {
                _powerDown = (data[i] >> 4) & 0b11;
                _code = ((data[i] & 0x0F) << 8) | data[i + 1];
            }
        }
        else
        {
            var command = data[0] >> 5;
            if (command is not (0b010 or 0b011))
            {
                throw Nack($"reserved command C2:C1:C0 = {Convert.ToString(command, 2).PadLeft(3, '0')}.");
            }

            if (data.Length < 3)
            {
                throw Nack($"a write command needs 3 bytes, got {data.Length}.");
            }

            _powerDown = (data[0] >> 1) & 0b11;
            _code = (data[1] << 4) | (data[2] >> 4);
            if (command == 0b011)
            {
                _eepromCode = _code;
                _eepromPowerDown = _powerDown;
                _busyUntil = Clock.GetTimestamp() + (long)(EepromWriteTime.TotalSeconds * Clock.TimestampFrequency);
            }
        }

        _output?.SetVolts(OutputVolts);
    }

    /// <inheritdoc />
    protected override void OnRead(Span<byte> buffer)
    {
        Span<byte> image =
        [
            (byte)((Busy ? 0 : 0x80) | 0x40 | (_powerDown << 1)),
            (byte)(_code >> 4),
            (byte)((_code & 0x0F) << 4),
            (byte)((_eepromPowerDown << 5) | (_eepromCode >> 8)),
            (byte)_eepromCode,
        ];
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = i < image.Length ? image[i] : (byte)0xFF;
        }
    }
}
