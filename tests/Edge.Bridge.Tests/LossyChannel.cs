using Edge.Bridge.Protocol;

namespace Edge.Bridge.Tests;

/// <summary>Fault rates of a simulated UART direction (per frame written).</summary>
public sealed record ChannelFaults(double Drop = 0, double Duplicate = 0, double Reorder = 0, double Corrupt = 0,
    double ResetMidFrame = 0)
{
    public static ChannelFaults None { get; } = new();

    public static ChannelFaults All(double rate) => new(rate, rate, rate, rate, rate);
}

/// <summary>
/// One direction of a simulated serial line: each written frame may be dropped, duplicated, delayed past later
/// frames, have a byte corrupted, or be cut short mid-frame (a UART reset); survivors arrive in random chunks. With a
/// baud rate, frames queue on the line and arrive after their airtime (8N1), as on a UART.
/// </summary>
public sealed class LossyChannel(ChannelFaults faults, int seed, int baudRate = 0) : IByteSink
{
    private const int LatencyMs = 2;
    private const int ReorderDelayMs = 15;

    private readonly Random random = new(seed);
    private readonly List<(long DeliverAt, long Order, byte[] Bytes)> inTransit = [];
    private long order;
    private long lineFreeUs;

    public long NowMs { get; set; }

    public int FramesWritten { get; private set; }

    public int FaultsInjected { get; private set; }

    public long BytesWritten { get; private set; }

    public void Write(byte[] buffer, int offset, int count)
    {
        FramesWritten++;
        BytesWritten += count;
        var bytes = buffer.AsSpan(offset, count).ToArray();
        var leftLineMs = NowMs;
        if (baudRate > 0)
        {
            lineFreeUs = Math.Max(NowMs * 1000, lineFreeUs) + (count * 10_000_000L / baudRate);
            leftLineMs = (lineFreeUs + 999) / 1000;
        }

        if (Roll(faults.Drop))
        {
            return;
        }

        if (Roll(faults.Corrupt))
        {
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
        }

        if (Roll(faults.ResetMidFrame))
        {
            bytes = bytes.AsSpan(0, random.Next(1, bytes.Length)).ToArray();
        }

        var delay = LatencyMs + (Roll(faults.Reorder) ? random.Next(1, ReorderDelayMs) : 0);
        Enqueue(leftLineMs + delay, bytes);
        if (Roll(faults.Duplicate))
        {
            Enqueue(leftLineMs + LatencyMs + random.Next(0, ReorderDelayMs), bytes);
        }
    }

    /// <summary>Hands every frame due by <paramref name="nowMs"/> to the receiving link, in random chunks.</summary>
    public void DeliverDue(long nowMs, ReliableLink receiver)
    {
        inTransit.Sort((a, b) => a.DeliverAt != b.DeliverAt ? a.DeliverAt.CompareTo(b.DeliverAt)
            : a.Order.CompareTo(b.Order));
        var due = 0;
        while (due < inTransit.Count && inTransit[due].DeliverAt <= nowMs)
        {
            var bytes = inTransit[due].Bytes;
            var position = 0;
            while (position < bytes.Length)
            {
                var chunk = Math.Min(random.Next(1, 24), bytes.Length - position);
                receiver.Receive(bytes, position, chunk, nowMs);
                position += chunk;
            }

            due++;
        }

        inTransit.RemoveRange(0, due);
    }

    private void Enqueue(long deliverAt, byte[] bytes) => inTransit.Add((deliverAt, order++, bytes));

    private bool Roll(double probability)
    {
        if (probability > 0 && random.NextDouble() < probability)
        {
            FaultsInjected++;
            return true;
        }

        return false;
    }
}
