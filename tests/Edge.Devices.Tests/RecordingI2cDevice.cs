using System.Device.I2c;

namespace Edge.Devices.Tests;

/// <summary>Records every byte written, and answers reads from a queue, to pin bindings to the datasheet's byte
/// sequences.</summary>
internal sealed class RecordingI2cDevice(int address = 0x60) : I2cDevice
{
    public List<byte[]> Writes { get; } = [];

    public Queue<byte[]> Replies { get; } = new();

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, address);

    public override byte ReadByte() => Replies.Dequeue()[0];

    public override void Read(Span<byte> buffer) => Replies.Dequeue().AsSpan(0, buffer.Length).CopyTo(buffer);

    public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(buffer.ToArray());

    public override void WriteByte(byte value) => Writes.Add([value]);

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }
}
