using System.Device.I2c;
using Edge.Devices.Analog;

namespace Edge.Devices.Dac;

/// <summary>
/// Microchip MCP4728: quad 12-bit DAC with EEPROM on I2C. Each channel selects the internal 2.048 V reference (with
/// gain
/// ×1 or ×2) or V_DD, so V_OUT = V_REF · G · code / 4096. Channels update together when LDAC is held low (or on the
/// UDAC
/// bit of a multi-write).
/// </summary>
public sealed class Mcp4728 : IDisposable
{
    /// <summary>Address of a factory-fresh part (A2:A1:A0 = 000 in EEPROM).</summary>
    public const int DefaultI2cAddress = 0x60;

    /// <summary>Multi-write command 0100 0 DAC1 DAC0 UDAC: input registers only.</summary>
    public const byte MultiWriteCommand = 0b0100_0000;

    /// <summary>Sequential-write command 0101 0 DAC1 DAC0 UDAC: input registers and EEPROM, from the start channel to
    /// D.</summary>
    public const byte SequentialWriteCommand = 0b0101_0000;

    /// <summary>Single-write command 0101 1 DAC1 DAC0 UDAC: one channel's input register and EEPROM.</summary>
    public const byte SingleWriteCommand = 0b0101_1000;

    /// <summary>Write V_REF select bits: 100 x VREFA VREFB VREFC VREFD.</summary>
    public const byte WriteVoltageReferenceCommand = 0b1000_0000;

    /// <summary>Write power-down bits: 101 x PD1A PD0A PD1B PD0B, then PD1C PD0C PD1D PD0D 0000.</summary>
    public const byte WritePowerDownCommand = 0b1010_0000;

    /// <summary>Write gain select bits: 110 x GA GB GC GD.</summary>
    public const byte WriteGainCommand = 0b1100_0000;

    /// <summary>Resolution in bits.</summary>
    public const int Resolution = 12;

    /// <summary>Number of output channels.</summary>
    public const int ChannelCount = 4;

    /// <summary>Bytes returned by a full read: per channel 3 register bytes and 3 EEPROM bytes.</summary>
    public const int ReadLength = 6 * ChannelCount;

    /// <summary>Longest EEPROM write cycle of the datasheet (50 ms).</summary>
    public static readonly TimeSpan MaxEepromWriteTime = TimeSpan.FromMilliseconds(50);

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;
    private readonly bool _shouldDispose;

    /// <summary>Creates a binding over <paramref name="device"/>.</summary>
    /// <param name="device">The I2C device at the chip's address.</param>
    /// <param name="time">Clock used for the EEPROM busy timeout (a virtual one under emulation).</param>
    /// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
    public Mcp4728(I2cDevice device, TimeProvider? time = null, bool shouldDispose = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _time = time ?? TimeProvider.System;
        _shouldDispose = shouldDispose;
    }

    /// <summary>I2C clock the chip is wired for (400 kHz fast mode unless told otherwise).</summary>
    public double BusClockHz { get; init; } = 400_000;

    /// <summary>Fast write of all four input registers (C2:C1 = 00, 8 data bytes); reference and gain bits are
    /// kept.</summary>
    public void FastWrite(int codeA, int codeB, int codeC, int codeD)
    {
        Span<byte> frame = stackalloc byte[2 * ChannelCount];
        FastWord(frame, 0, codeA);
        FastWord(frame, 2, codeB);
        FastWord(frame, 4, codeC);
        FastWord(frame, 6, codeD);
        _device.Write(frame);
    }

    /// <summary>Multi-write of one channel's input register (EEPROM untouched); <paramref name="update"/> latches it at
    /// once (UDAC = 0).</summary>
    public void WriteChannel(Mcp4728Channel channel, Mcp4728ChannelSettings settings, bool update = true)
    {
        CheckChannel(channel);
        Span<byte> frame = stackalloc byte[3];
        frame[0] = (byte)(MultiWriteCommand | ((int)channel << 1) | (update ? 0 : 1));
        EncodeSettings(settings, frame[1..]);
        _device.Write(frame);
    }

    /// <summary>Single write: one channel's input register and EEPROM, then waits for the EEPROM cycle to
    /// end.</summary>
    /// <exception cref="TimeoutException">Still busy after <see cref="MaxEepromWriteTime"/>.</exception>
    public void WriteChannelAndEeprom(Mcp4728Channel channel, Mcp4728ChannelSettings settings)
    {
        CheckChannel(channel);
        Span<byte> frame = stackalloc byte[3];
        frame[0] = (byte)(SingleWriteCommand | ((int)channel << 1));
        EncodeSettings(settings, frame[1..]);
        _device.Write(frame);
        WaitWhileEepromBusy();
    }

    /// <summary>Sequential write from <paramref name="first"/> to channel D into input registers and EEPROM, then waits
    /// for the EEPROM.</summary>
    /// <exception cref="ArgumentException">The number of settings does not match the channels from <paramref
    /// name="first"/> to D.</exception>
    public void WriteSequentialAndEeprom(Mcp4728Channel first, ReadOnlySpan<Mcp4728ChannelSettings> settings)
    {
        CheckChannel(first);
        var expected = ChannelCount - (int)first;
        if (settings.Length != expected)
        {
            throw new
                ArgumentException($"MCP4728: a sequential write from channel {first} covers {expected} channels, got "
                    + $"{settings.Length} settings.", nameof(settings));
        }

        Span<byte> frame = stackalloc byte[1 + (2 * ChannelCount)];
        frame[0] = (byte)(SequentialWriteCommand | ((int)first << 1));
        for (var i = 0; i < settings.Length; i++)
        {
            EncodeSettings(settings[i], frame.Slice(1 + (2 * i), 2));
        }

        _device.Write(frame[..(1 + (2 * settings.Length))]);
        WaitWhileEepromBusy();
    }

    /// <summary>Selects each channel's reference in one command.</summary>
    public void WriteReferences(Mcp4728Reference a, Mcp4728Reference b, Mcp4728Reference c, Mcp4728Reference d)
        => _device.WriteByte((byte)(WriteVoltageReferenceCommand | (Bit(a) << 3) | (Bit(b) << 2) | (Bit(c)
            << 1) | Bit(d)));

    /// <summary>Selects each channel's gain in one command.</summary>
    public void WriteGains(Mcp4728Gain a, Mcp4728Gain b, Mcp4728Gain c, Mcp4728Gain d)
        => _device.WriteByte((byte)(WriteGainCommand | (Bit(a) << 3) | (Bit(b) << 2) | (Bit(c) << 1) | Bit(d)));

    /// <summary>Sets each channel's power-down mode in one command.</summary>
    public void WritePowerDown(Mcp4728PowerDown a, Mcp4728PowerDown b, Mcp4728PowerDown c, Mcp4728PowerDown d)
    {
        Span<byte> frame = [(byte)(WritePowerDownCommand | (Pd(a) << 2) | Pd(b)), (byte)((Pd(c) << 6) | (Pd(d) << 4))];
        _device.Write(frame);
    }

    /// <summary>Reads all four channels: input registers, EEPROM copies and status.</summary>
    public Mcp4728ChannelReadback[] ReadAll()
    {
        Span<byte> data = stackalloc byte[ReadLength];
        _device.Read(data);
        var result = new Mcp4728ChannelReadback[ChannelCount];
        for (var i = 0; i < ChannelCount; i++)
        {
            result[i] = Decode(data.Slice(6 * i, 6));
        }

        return result;
    }

    /// <summary>Decodes one channel's 6 read bytes (datasheet figure 5-15).</summary>
    public static Mcp4728ChannelReadback Decode(ReadOnlySpan<byte> channelBytes)
    {
        if (channelBytes.Length < 6)
        {
            throw new ArgumentException($"An MCP4728 channel read-back is 6 bytes, got {channelBytes.Length}.",
                nameof(channelBytes));
        }

        return new Mcp4728ChannelReadback(
            Channel: (Mcp4728Channel)((channelBytes[0] >> 4) & 0b11),
            EepromBusy: (channelBytes[0] & 0x80) == 0,
            PowerOnReset: (channelBytes[0] & 0x40) != 0,
            Register: DecodeSettings(channelBytes[1], channelBytes[2]),
            Eeprom: DecodeSettings(channelBytes[4], channelBytes[5]));
    }

    /// <summary>A view of one channel as a code sink for layer backends (multi-write, latched at once).</summary>
    public IDacChannel Channel(Mcp4728Channel channel, Mcp4728Reference reference = Mcp4728Reference.Internal2V048,
        Mcp4728Gain gain = Mcp4728Gain.X1)
    {
        CheckChannel(channel);
        return new ChannelView(this, channel, reference, gain);
    }

    /// <summary>Polls the RDY/BSY bit until no EEPROM write is in progress.</summary>
    /// <exception cref="TimeoutException">Still busy after <see cref="MaxEepromWriteTime"/>.</exception>
    public void WaitWhileEepromBusy()
    {
        var start = _time.GetTimestamp();
        Span<byte> status = stackalloc byte[1];
        while (true)
        {
            _device.Read(status);
            if ((status[0] & 0x80) != 0)
            {
                return;
            }

            if (_time.GetElapsedTime(start) > MaxEepromWriteTime)
            {
                throw new
                    TimeoutException($"MCP4728 at 0x{_device.ConnectionSettings.DeviceAddress:X2} still reports an "
                        + $"EEPROM write in progress after {MaxEepromWriteTime.TotalMilliseconds} ms.");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_shouldDispose)
        {
            _device.Dispose();
        }
    }

    private static void FastWord(Span<byte> frame, int offset, int code)
    {
        ConverterCodes.CheckCode(nameof(Mcp4728), code, Resolution);
        frame[offset] = (byte)(code >> 8);
        frame[offset + 1] = (byte)code;
    }

    private static void EncodeSettings(Mcp4728ChannelSettings settings, Span<byte> two)
    {
        ConverterCodes.CheckCode(nameof(Mcp4728), settings.Code, Resolution);
        two[0] =
            (byte)((Bit(settings.Reference) << 7) | (Pd(settings.PowerDown) << 5) | (Bit(settings.Gain)
                << 4) | (settings.Code >> 8));
        two[1] = (byte)settings.Code;
    }

    private static Mcp4728ChannelSettings DecodeSettings(byte high, byte low) => new(
        Code: ((high & 0x0F) << 8) | low,
        Reference: (Mcp4728Reference)(high >> 7),
        Gain: (Mcp4728Gain)((high >> 4) & 1),
        PowerDown: (Mcp4728PowerDown)((high >> 5) & 0b11));

    private static int Bit(Mcp4728Reference reference) => (uint)reference <= 1
        ? (int)reference
        : throw new ArgumentOutOfRangeException(nameof(reference), reference,
            "MCP4728 reference must be Vdd or Internal2V048.");

    private static int Bit(Mcp4728Gain gain) => (uint)gain <= 1
        ? (int)gain
        : throw new ArgumentOutOfRangeException(nameof(gain), gain, "MCP4728 gain must be X1 or X2.");

    private static int Pd(Mcp4728PowerDown powerDown) => (uint)powerDown <= 3
        ? (int)powerDown
        : throw new ArgumentOutOfRangeException(nameof(powerDown), powerDown,
            "MCP4728 power-down must be one of the four PD1:PD0 settings.");

    private static void CheckChannel(Mcp4728Channel channel)
    {
        if ((uint)channel >= ChannelCount)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "MCP4728 has channels A to D.");
        }
    }

    private sealed class ChannelView(Mcp4728 chip, Mcp4728Channel channel, Mcp4728Reference reference, Mcp4728Gain gain)
        : IDacChannel
    {
        public int Bits => Resolution;

        // A multi-write is address + 3 bytes of 9 bit times each.
        public double MaxUpdateRateHz => chip.BusClockHz / 36.0;

        public void Write(int code) => chip.WriteChannel(channel, new Mcp4728ChannelSettings(code, reference, gain));
    }
}
