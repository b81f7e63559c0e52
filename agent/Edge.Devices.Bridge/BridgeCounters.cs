namespace Edge.Devices.Bridge;

/// <summary>Line and payload counters of a bridge, kept across its sessions (thread-safe).</summary>
internal sealed class BridgeCounters
{
    private long _written;
    private long _read;
    private long _payload;
    private long _drive;
    private long _retransmissions;

    public long LineBytes => Interlocked.Read(ref _written) + Interlocked.Read(ref _read);

    public long PayloadBytes => Interlocked.Read(ref _payload);

    public long DriveBytes => Interlocked.Read(ref _drive);

    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    public void AddWritten(long bytes) => Interlocked.Add(ref _written, bytes);

    public void AddRead(long bytes) => Interlocked.Add(ref _read, bytes);

    public void AddPayload(long bytes) => Interlocked.Add(ref _payload, bytes);

    public void AddDrive(long bytes) => Interlocked.Add(ref _drive, bytes);

    public void AddRetransmissions(long count) => Interlocked.Add(ref _retransmissions, count);
}
