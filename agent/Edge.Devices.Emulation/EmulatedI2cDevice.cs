using System.Device.I2c;

namespace Edge.Devices.Emulation;

/// <summary>
/// Common ground of the I2C chip emulators: the virtual clock advances by the bus time of every transfer (address +
/// data
/// bytes, 9 bit times each), and a test can make the next transfers fail the way a missing or stuck chip does.
/// </summary>
public abstract class EmulatedI2cDevice : I2cDevice
{
    /// <summary>Creates the emulator.</summary>
    /// <param name="settings">Bus and address.</param>
    /// <param name="clock">The bench's virtual clock.</param>
    /// <param name="busClockHz">I2C clock rate.</param>
    protected EmulatedI2cDevice(I2cConnectionSettings settings, VirtualClock clock, double busClockHz)
    {
        ConnectionSettings = settings ?? throw new ArgumentNullException(nameof(settings));
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
        if (!(busClockHz > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(busClockHz), busClockHz, "The I2C clock must be positive.");
        }

        BusClockHz = busClockHz;
    }

    /// <inheritdoc />
    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>The bench's virtual clock.</summary>
    public VirtualClock Clock { get; }

    /// <summary>I2C clock rate.</summary>
    public double BusClockHz { get; }

    /// <summary>Number of coming transfers that are not acknowledged (throw <see cref="IOException"/>).</summary>
    public int NackNextTransfers { get; set; }

    /// <summary>
    /// While true every transfer fails with a NACK, as a chip that lost power or hangs in reset does (a fault for tests
    /// and fault benches; may be changed from any thread).
    /// </summary>
    public bool Unresponsive { get; set; }

    /// <summary>Transfers completed.</summary>
    public long Transfers { get; private set; }

    /// <inheritdoc />
    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override void Read(Span<byte> buffer)
    {
        Transfer(buffer.Length);
        OnRead(buffer);
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Transfer(buffer.Length);
        OnWrite(buffer);
    }

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    /// <summary>The chip receives <paramref name="data"/> (after its address was acknowledged).</summary>
    protected abstract void OnWrite(ReadOnlySpan<byte> data);

    /// <summary>The chip sends <paramref name="buffer"/>.Length bytes.</summary>
    protected abstract void OnRead(Span<byte> buffer);

    /// <summary>A NACK on a data byte: the chip refuses what it was sent.</summary>
    protected IOException Nack(string why)
        => new($"I2C device 0x{ConnectionSettings.DeviceAddress:X2} on bus {ConnectionSettings.BusId} did not "
            + $"acknowledge: {why}");

    private void Transfer(int bytes)
    {
        if (Unresponsive)
        {
            throw Nack("address not acknowledged (the chip stopped answering).");
        }

        if (NackNextTransfers > 0)
        {
            NackNextTransfers--;
            throw Nack("address not acknowledged (no device, or the device is held in reset).");
        }

        Clock.Advance((1 + bytes) * 9 / BusClockHz);
        Transfers++;
    }
}
