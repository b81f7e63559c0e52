using System.Device.I2c;

namespace Edge.Devices.Emulation;

/// <summary>
/// Register-level MCP4728: fast write, multi-write (with UDAC), sequential and single writes into EEPROM (RDY/BSY low
/// for
/// <see cref="EepromWriteTime"/>), the V_REF, gain and power-down commands, and the 24-byte read. Channel outputs are
/// V_REF · G · code / 4096 with V_REF = 2.048 V internal or V_DD, 0 V when powered down.
/// </summary>
public sealed class Mcp4728Emulator : EmulatedI2cDevice
{
    private readonly double _supplyVolts;
    private readonly Channel[] _register = new Channel[4];
    private readonly Channel[] _eeprom = new Channel[4];
    private readonly Channel[] _output = new Channel[4];
    private readonly IAnalogSink?[] _sinks = new IAnalogSink?[4];
    private long _busyUntil;

    /// <summary>Creates a factory-fresh chip: every channel code 0, V_DD reference, gain ×1, normal mode.</summary>
    /// <param name="clock">The bench's virtual clock.</param>
    /// <param name="supplyVolts">V_DD (2.7–5.5 V).</param>
    /// <param name="address">I2C address.</param>
    /// <param name="busClockHz">I2C clock.</param>
    public Mcp4728Emulator(VirtualClock clock, double supplyVolts = 5.0, int address = 0x60,
        double busClockHz = 400_000)
        : base(new I2cConnectionSettings(1, address), clock, busClockHz)
    {
        if (!(supplyVolts is >= 2.7 and <= 5.5))
        {
            throw new ArgumentOutOfRangeException(nameof(supplyVolts), supplyVolts,
                "MCP4728 runs from 2.7 V to 5.5 V.");
        }

        _supplyVolts = supplyVolts;
    }

    /// <summary>Time RDY/BSY stays low after an EEPROM write (datasheet: 25 ms typical, 50 ms max).</summary>
    public TimeSpan EepromWriteTime { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Output voltage of channel <paramref name="channel"/> (0 = A … 3 = D).</summary>
    public double OutputVolts(int channel)
    {
        var c = _output[channel];
        if (c.PowerDown != 0)
        {
            return 0.0;
        }

        var reference = c.Reference == 1 ? 2.048 * (c.Gain + 1) : _supplyVolts;
        return reference * c.Code / 4096.0;
    }

    /// <summary>The code of channel <paramref name="channel"/>'s EEPROM copy.</summary>
    public int EepromCode(int channel) => _eeprom[channel].Code;

    /// <summary>Wires channel <paramref name="channel"/> to <paramref name="sink"/>.</summary>
    public void Connect(int channel, IAnalogSink sink)
    {
        if ((uint)channel > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "MCP4728 has channels 0 (A) to 3 (D).");
        }

        _sinks[channel] = sink ?? throw new ArgumentNullException(nameof(sink));
        sink.SetVolts(OutputVolts(channel));
    }

    /// <summary>/LDAC pulsed low: every output takes its input register.</summary>
    public void Latch()
    {
        for (var i = 0; i < 4; i++)
        {
            Update(i);
        }
    }

    private bool Busy => Clock.GetTimestamp() < _busyUntil;

    /// <inheritdoc />
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var first = data[0];
        if ((first & 0xC0) == 0)
        {
            FastWrite(data);
            return;
        }

        switch (first >> 5)
        {
            case 0b010:
                WriteRegisters(data);
                break;
            case 0b100:
                SetAll(first, (ref Channel c, int bit) => c.Reference = bit);
                break;
            case 0b110:
                SetAll(first, (ref Channel c, int bit) => c.Gain = bit);
                break;
            case 0b101:
                WritePowerDown(data);
                break;
            default:
                throw
                    Nack($"command 0x{first:X2} is not supported by the emulator (address programming needs LDAC "
                        + "handshaking).");
        }
    }

    /// <inheritdoc />
    protected override void OnRead(Span<byte> buffer)
    {
        Span<byte> image = stackalloc byte[24];
        var status = (byte)((Busy ? 0 : 0x80) | 0x40 | (ConnectionSettings.DeviceAddress & 0x07));
        for (var i = 0; i < 4; i++)
        {
            image[6 * i] = (byte)(status | (i << 4));
            Encode(_register[i], image.Slice((6 * i) + 1, 2));
            image[(6 * i) + 3] = (byte)(status | (i << 4) | 0x08);
            Encode(_eeprom[i], image.Slice((6 * i) + 4, 2));
        }

        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = image[i % 24];
        }
    }

    private void FastWrite(ReadOnlySpan<byte> data)
    {
        for (int i = 0, channel = 0; i + 1 < data.Length && channel < 4; i += 2, channel++)
        {
            _register[channel].PowerDown = (data[i] >> 4) & 0b11;
            _register[channel].Code = ((data[i] & 0x0F) << 8) | data[i + 1];
            Update(channel);
        }
    }

    private void WriteRegisters(ReadOnlySpan<byte> data)
    {
        var mode = (data[0] >> 3) & 0b11;
        var start = (data[0] >> 1) & 0b11;
        var latch = (data[0] & 1) == 0;
        if (mode is 0b10 or 0b11 && Busy)
        {
            throw Nack("EEPROM write in progress (RDY/BSY low).");
        }

        switch (mode)
        {
            case 0b00:
                // Multi-write: repeated 3-byte groups, each naming its channel.
                for (var i = 0; i + 2 < data.Length; i += 3)
                {
                    var channel = (data[i] >> 1) & 0b11;
                    _register[channel] = Decode(data[i + 1], data[i + 2]);
                    if ((data[i] & 1) == 0)
                    {
                        Update(channel);
                    }
                }

                break;
            case 0b10:
                // Sequential write: from the start channel up to D, input registers and EEPROM.
                for (int i = 1, channel = start; i + 1 < data.Length && channel < 4; i += 2, channel++)
                {
                    StoreWithEeprom(channel, Decode(data[i], data[i + 1]), latch);
                }

                _busyUntil = Clock.GetTimestamp() + (long)(EepromWriteTime.TotalSeconds * Clock.TimestampFrequency);
                break;
            case 0b11:
                if (data.Length < 3)
                {
                    throw Nack($"a single write needs 3 bytes, got {data.Length}.");
                }

                StoreWithEeprom(start, Decode(data[1], data[2]), latch);
                _busyUntil = Clock.GetTimestamp() + (long)(EepromWriteTime.TotalSeconds * Clock.TimestampFrequency);
                break;
            default:
                throw Nack($"reserved write function W1:W0 = {Convert.ToString(mode, 2).PadLeft(2, '0')}.");
        }
    }

    private void StoreWithEeprom(int channel, Channel value, bool latch)
    {
        _register[channel] = value;
        _eeprom[channel] = value;
        if (latch)
        {
            Update(channel);
        }
    }

    private void WritePowerDown(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            throw Nack("the power-down command needs 2 bytes.");
        }

        int[] bits = [(data[0] >> 2) & 0b11, data[0] & 0b11, (data[1] >> 6) & 0b11, (data[1] >> 4) & 0b11];
        for (var i = 0; i < 4; i++)
        {
            _register[i].PowerDown = bits[i];
            Update(i);
        }
    }

    private delegate void ChannelSetter(ref Channel channel, int bit);

    private void SetAll(byte command, ChannelSetter set)
    {
        for (var i = 0; i < 4; i++)
        {
            set(ref _register[i], (command >> (3 - i)) & 1);
            Update(i);
        }
    }

    private void Update(int channel)
    {
        _output[channel] = _register[channel];
        _sinks[channel]?.SetVolts(OutputVolts(channel));
    }

    private static Channel Decode(byte high, byte low) => new()
    {
        Reference = high >> 7,
        PowerDown = (high >> 5) & 0b11,
        Gain = (high >> 4) & 1,
        Code = ((high & 0x0F) << 8) | low,
    };

    private static void Encode(Channel c, Span<byte> two)
    {
        two[0] = (byte)((c.Reference << 7) | (c.PowerDown << 5) | (c.Gain << 4) | (c.Code >> 8));
        two[1] = (byte)c.Code;
    }

    private struct Channel
    {
        public int Code;
        public int Reference;
        public int Gain;
        public int PowerDown;
    }
}
