namespace Edge.Bridge.Emulator;

/// <summary>Which way bytes travel on the emulated line.</summary>
public enum LineDirection
{
    /// <summary>Host (agent) to the bridge.</summary>
    ToDevice,

    /// <summary>Bridge to the host.</summary>
    ToHost,
}

/// <summary>
/// What the emulated serial line does to bytes: its rate, and seeded random loss and corruption. Each direction has its
/// own random stream (the two are driven from different threads), re-seeded from the seed and the session number at
/// every session, so the k-th byte of a direction in session n meets the same fault in every run with the same seed.
/// </summary>
public sealed class LineFaults
{
    private readonly Random?[] _streams = new Random?[2];
    private long _lost;
    private long _corrupted;

    /// <summary>Creates the line model.</summary>
    /// <param name="baudRate">Line rate; each byte takes 10 bit times (8N1). 0 = unlimited.</param>
    /// <param name="lossRate">Probability that a byte vanishes.</param>
    /// <param name="corruptionRate">Probability that a byte has one bit flipped.</param>
    /// <param name="seed">Seed of the fault streams and of the bridge's session sequence numbers.</param>
    public LineFaults(int baudRate, double lossRate, double corruptionRate, int seed)
    {
        if (baudRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baudRate), baudRate, "The baud rate cannot be negative.");
        }

        if (!(lossRate is >= 0 and < 1) || !(corruptionRate is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(lossRate), "Loss and corruption rates must be in [0, 1).");
        }

        BaudRate = baudRate;
        LossRate = lossRate;
        CorruptionRate = corruptionRate;
        Seed = seed;
        StartSession(0);
    }

    /// <summary>Line rate in baud (0 = unlimited).</summary>
    public int BaudRate { get; }

    /// <summary>Probability that a byte vanishes.</summary>
    public double LossRate { get; }

    /// <summary>Probability that a byte is corrupted.</summary>
    public double CorruptionRate { get; }

    /// <summary>Seed of the fault streams.</summary>
    public int Seed { get; }

    /// <summary>Bytes dropped so far, both directions, all sessions.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Bytes corrupted so far, both directions, all sessions.</summary>
    public long Corrupted => Interlocked.Read(ref _corrupted);

    /// <summary>Re-seeds both directions for session <paramref name="session"/> (0, 1, 2, … per host
    /// connection).</summary>
    public void StartSession(int session)
    {
        _streams[(int)LineDirection.ToDevice] = new Random(SessionSeed(session, 1));
        _streams[(int)LineDirection.ToHost] = new Random(SessionSeed(session, 2));
    }

    /// <summary>A number derived from the seed for session <paramref name="session"/> and purpose
    /// <paramref name="salt"/>.</summary>
    public int SessionSeed(int session, int salt) => unchecked((Seed * 486_187_739) + (session * 7_919) + salt);

    /// <summary>Applies loss and corruption in place; returns how many bytes survive (compacted to the
    /// front).</summary>
    public int Apply(LineDirection direction, byte[] buffer, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (LossRate == 0 && CorruptionRate == 0)
        {
            return count;
        }

        var random = _streams[(int)direction]!;
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (random.NextDouble() < LossRate)
            {
                Interlocked.Increment(ref _lost);
                continue;
            }

            var value = buffer[i];
            if (random.NextDouble() < CorruptionRate)
            {
                value ^= (byte)(1 << random.Next(8));
                Interlocked.Increment(ref _corrupted);
            }

            buffer[kept++] = value;
        }

        return kept;
    }

    /// <summary>Time <paramref name="bytes"/> take on the line.</summary>
    public TimeSpan TransmitTime(int bytes) =>
        BaudRate == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(bytes * 10.0 / BaudRate);
}
