namespace Edge.Bridge.Emulator;

/// <summary>What the emulated serial line does to bytes: its rate, and seeded random loss and corruption.</summary>
public sealed class LineFaults
{
    private readonly Random _random;

    /// <summary>Creates the line model.</summary>
    /// <param name="baudRate">Line rate; each byte takes 10 bit times (8N1). 0 = unlimited.</param>
    /// <param name="lossRate">Probability that a byte vanishes.</param>
    /// <param name="corruptionRate">Probability that a byte has one bit flipped.</param>
    /// <param name="seed">Seed of the fault stream.</param>
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
        _random = new Random(seed);
    }

    /// <summary>Line rate in baud (0 = unlimited).</summary>
    public int BaudRate { get; }

    /// <summary>Probability that a byte vanishes.</summary>
    public double LossRate { get; }

    /// <summary>Probability that a byte is corrupted.</summary>
    public double CorruptionRate { get; }

    /// <summary>Bytes dropped so far.</summary>
    public long Lost { get; private set; }

    /// <summary>Bytes corrupted so far.</summary>
    public long Corrupted { get; private set; }

    /// <summary>Applies loss and corruption in place; returns how many bytes survive (compacted to the front).</summary>
    public int Apply(byte[] buffer, int count)
    {
        if (LossRate == 0 && CorruptionRate == 0)
        {
            return count;
        }

        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (_random.NextDouble() < LossRate)
            {
                Lost++;
                continue;
            }

            var value = buffer[i];
            if (_random.NextDouble() < CorruptionRate)
            {
                value ^= (byte)(1 << _random.Next(8));
                Corrupted++;
            }

            buffer[kept++] = value;
        }

        return kept;
    }

    /// <summary>Time <paramref name="bytes"/> take on the line.</summary>
    public TimeSpan TransmitTime(int bytes) => BaudRate == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(bytes * 10.0 / BaudRate);
}
