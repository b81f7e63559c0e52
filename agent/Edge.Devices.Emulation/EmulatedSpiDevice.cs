using System.Device.Spi;

namespace Edge.Devices.Emulation;

/// <summary>
/// Common ground of the SPI chip emulators: every transfer is one chip-select cycle whose clocks advance the virtual
/// clock, and a test can make the next transfers fail the way a broken bus does.
/// </summary>
public abstract class EmulatedSpiDevice : SpiDevice
{
    /// <summary>Creates the emulator.</summary>
    /// <param name="settings">Bus, chip select and clock rate.</param>
    /// <param name="clock">The bench's virtual clock.</param>
    protected EmulatedSpiDevice(SpiConnectionSettings settings, VirtualClock clock)
    {
        ConnectionSettings = settings ?? throw new ArgumentNullException(nameof(settings));
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
        if (settings.ClockFrequency <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.ClockFrequency,
                "The SPI clock must be positive.");
        }
    }

    /// <inheritdoc />
    public override SpiConnectionSettings ConnectionSettings { get; }

    /// <summary>The bench's virtual clock.</summary>
    public VirtualClock Clock { get; }

    /// <summary>Number of coming transfers that fail with <see cref="IOException"/>.</summary>
    public int FailNextTransfers { get; set; }

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
    public override void Read(Span<byte> buffer)
    {
        Span<byte> zeros = stackalloc byte[buffer.Length];
        zeros.Clear();
        TransferFullDuplex(zeros, buffer);
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Span<byte> ignored = stackalloc byte[buffer.Length];
        TransferFullDuplex(buffer, ignored);
    }

    /// <inheritdoc />
    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (writeBuffer.Length != readBuffer.Length)
        {
            throw new
                ArgumentException($"A full-duplex transfer needs equal buffers, got {writeBuffer.Length} and "
                    + $"{readBuffer.Length} bytes.", nameof(readBuffer));
        }

        if (FailNextTransfers > 0)
        {
            FailNextTransfers--;
            throw new
                IOException($"SPI transfer on bus {ConnectionSettings.BusId}, chip select "
                    + $"{ConnectionSettings.ChipSelectLine} failed (emulated bus fault).");
        }

        // The chip samples its input when the command's clocks reach it: let the time of the first byte pass first.
        Clock.Advance(8.0 / ConnectionSettings.ClockFrequency);
        OnTransfer(writeBuffer, readBuffer);
        Clock.Advance(8.0 * (writeBuffer.Length - 1) / ConnectionSettings.ClockFrequency);
        Transfers++;
    }

    /// <summary>One chip-select cycle: the chip reads <paramref name="mosi"/> and drives <paramref
    /// name="miso"/>.</summary>
    protected abstract void OnTransfer(ReadOnlySpan<byte> mosi, Span<byte> miso);
}
