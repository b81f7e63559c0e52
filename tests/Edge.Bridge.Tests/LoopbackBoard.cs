using Edge.Bridge.Firmware;

namespace Edge.Bridge.Tests;

/// <summary>A board whose ADC reads back the code its DAC channel 0 holds, on a virtual tick clock that records
/// writes.</summary>
internal sealed class LoopbackBoard : IDacDriver, IAdcDriver, ITickClock
{
    private readonly int[] _held = new int[2];

    public int Channels => 2;

    public int Bits => 12;

    public long Ticks { get; private set; }

    public long TicksPerSecond => 1_000_000_000;

    public List<(long Ticks, int Channel, int Code)> Writes { get; } = [];

    public List<long> Reads { get; } = [];

    public int Held(int channel) => _held[channel];

    public void WaitUntil(long ticks) => Ticks = Math.Max(Ticks, ticks);

    public void Write(int channel, int code)
    {
        _held[channel] = code;
        Writes.Add((Ticks, channel, code));
    }

    public int Read(int channel)
    {
        Reads.Add(Ticks);
        return _held[0];
    }
}
