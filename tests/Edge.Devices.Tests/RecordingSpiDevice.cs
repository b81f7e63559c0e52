using System.Device.Spi;

namespace Edge.Devices.Tests;

/// <summary>Records every byte clocked out and answers zeros, to pin bindings to the datasheet's command
/// bytes.</summary>
internal sealed class RecordingSpiDevice(int clockFrequency = 1_000_000) : SpiDevice
{
    public List<byte[]> Sent { get; } = [];

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0) { ClockFrequency = clockFrequency };

    public override byte ReadByte() => 0;

    public override void Read(Span<byte> buffer) => buffer.Clear();

    public override void WriteByte(byte value) => Sent.Add([value]);

    public override void Write(ReadOnlySpan<byte> buffer) => Sent.Add(buffer.ToArray());

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Sent.Add(writeBuffer.ToArray());
        readBuffer.Clear();
    }
}
