using System.Device.I2c;
using Edge.Devices.Analog;

namespace Edge.Devices.Dac;

/// <summary>
/// Microchip MCP4725: 12-bit single-channel DAC with EEPROM on I2C (standard, fast and 3.4 MHz high-speed mode).
/// The output is V_OUT = V_DD · code / 4096.
/// </summary>
public sealed class Mcp4725 : IDacChannel, IDisposable
{
    /// <summary>Address with A0 tied low (A2:A1 are factory-set; 0x60 is the usual part).</summary>
    public const int DefaultI2cAddress = 0x60;

    /// <summary>Write command C2:C1:C0 = 010, "write DAC register" (datasheet table 6-2).</summary>
    public const byte WriteDacRegisterCommand = 0b0100_0000;

    /// <summary>Write command C2:C1:C0 = 011, "write DAC register and EEPROM".</summary>
    public const byte WriteDacAndEepromCommand = 0b0110_0000;

    /// <summary>Resolution in bits.</summary>
    public const int Resolution = 12;

    /// <summary>Longest EEPROM write cycle of the datasheet (t_WRITE max 50 ms).</summary>
    public static readonly TimeSpan MaxEepromWriteTime = TimeSpan.FromMilliseconds(50);

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;
    private readonly bool _shouldDispose;

    /// <summary>Creates a binding over <paramref name="device"/>.</summary>
    /// <param name="device">The I2C device at the chip's address.</param>
    /// <param name="time">Clock used for the EEPROM busy timeout (a virtual one under emulation).</param>
    /// <param name="shouldDispose">Whether disposing this binding disposes <paramref name="device"/>.</param>
    public Mcp4725(I2cDevice device, TimeProvider? time = null, bool shouldDispose = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _time = time ?? TimeProvider.System;
        _shouldDispose = shouldDispose;
    }

    /// <inheritdoc />
    int IDacChannel.Bits => Resolution;

    /// <summary>A fast-mode write is 3 bytes (address + 2) of 9 bit times each: bus clock / 27.</summary>
    public double MaxUpdateRateHz => BusClockHz / 27.0;

    /// <summary>I2C clock the chip is wired for (400 kHz fast mode unless told otherwise).</summary>
    public double BusClockHz { get; init; } = 400_000;

    /// <summary>Fast-mode write (C2:C1 = 00): the quickest way to update the output; EEPROM untouched.</summary>
    public void Write(int code) => WriteFast(code, Mcp4725PowerDown.Normal);

    /// <summary>Fast-mode write of <paramref name="code"/> with the power-down bits <paramref
    /// name="powerDown"/>.</summary>
    public void WriteFast(int code, Mcp4725PowerDown powerDown)
    {
        ConverterCodes.CheckCode(nameof(Mcp4725), code, Resolution);
        CheckPowerDown(powerDown);
        Span<byte> frame = [(byte)(((int)powerDown << 4) | (code >> 8)), (byte)code];
        _device.Write(frame);
    }

    /// <summary>Writes the DAC register (C2:C1:C0 = 010) without touching the EEPROM.</summary>
    public void WriteDacRegister(int code, Mcp4725PowerDown powerDown = Mcp4725PowerDown.Normal)
        => WriteCommand(WriteDacRegisterCommand, code, powerDown);

    /// <summary>
    /// Writes the DAC register and the EEPROM (C2:C1:C0 = 011), so the chip powers up with this code, then waits until
    /// the EEPROM write completes.
    /// </summary>
    /// <exception cref="TimeoutException">The chip still reports busy after <see
    /// cref="MaxEepromWriteTime"/>.</exception>
    public void WriteDacAndEeprom(int code, Mcp4725PowerDown powerDown = Mcp4725PowerDown.Normal)
    {
        WriteCommand(WriteDacAndEepromCommand, code, powerDown);
        WaitWhileEepromBusy();
    }

    /// <summary>Reads status, DAC register and EEPROM (5 bytes).</summary>
    public Mcp4725Readback Read()
    {
        Span<byte> data = stackalloc byte[5];
        _device.Read(data);
        return Decode(data);
    }

    /// <summary>Decodes the 5 bytes of a read (datasheet figure 6-3).</summary>
    public static Mcp4725Readback Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 5)
        {
            throw new ArgumentException($"An MCP4725 read is 5 bytes, got {data.Length}.", nameof(data));
        }

        return new Mcp4725Readback(
            EepromBusy: (data[0] & 0x80) == 0,
            PowerOnReset: (data[0] & 0x40) != 0,
            PowerDown: (Mcp4725PowerDown)((data[0] >> 1) & 0b11),
            DacCode: (data[1] << 4) | (data[2] >> 4),
            EepromPowerDown: (Mcp4725PowerDown)((data[3] >> 5) & 0b11),
            EepromCode: ((data[3] & 0x0F) << 8) | data[4]);
    }

    /// <summary>Polls the RDY/BSY bit until the EEPROM write is done.</summary>
    /// <exception cref="TimeoutException">Still busy after <see cref="MaxEepromWriteTime"/>.</exception>
    public void WaitWhileEepromBusy()
    {
        var start = _time.GetTimestamp();
        while (Read().EepromBusy)
        {
            if (_time.GetElapsedTime(start) > MaxEepromWriteTime)
            {
                throw new
                    TimeoutException($"MCP4725 at 0x{_device.ConnectionSettings.DeviceAddress:X2} still reports an "
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

    private void WriteCommand(byte command, int code, Mcp4725PowerDown powerDown)
    {
        ConverterCodes.CheckCode(nameof(Mcp4725), code, Resolution);
        CheckPowerDown(powerDown);
        Span<byte> frame = [(byte)(command | ((int)powerDown << 1)), (byte)(code >> 4), (byte)((code & 0x0F) << 4)];
        _device.Write(frame);
    }

    private static void CheckPowerDown(Mcp4725PowerDown powerDown)
    {
        if ((uint)powerDown > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(powerDown), powerDown,
                "MCP4725 power-down mode must be one of the four PD1:PD0 settings.");
        }
    }
}
