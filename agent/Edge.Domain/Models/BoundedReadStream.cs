namespace Edge.Domain.Models;

/// <summary>
/// A read-only window of <c>length</c> bytes of a seekable stream from <c>start</c>: an entry's compressed data.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long start, long length) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, length - _read);
        if (wanted <= 0)
        {
            return 0;
        }

        inner.Position = start + _read;
        var read = inner.Read(buffer[..wanted]);
        if (read == 0)
        {
            throw new EndOfStreamException("The package ends inside an entry.");
        }

        _read += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
