namespace Edge.Bridge.Firmware;

/// <summary>The board's DAC outputs, as the firmware core sees them.</summary>
public interface IDacDriver
{
    /// <summary>Number of outputs.</summary>
    int Channels { get; }

    /// <summary>Resolution in bits.</summary>
    int Bits { get; }

    /// <summary>Sets output <paramref name="channel"/> to <paramref name="code"/> now.</summary>
    void Write(int channel, int code);
}

/// <summary>The board's ADC inputs, as the firmware core sees them.</summary>
public interface IAdcDriver
{
    /// <summary>Number of inputs.</summary>
    int Channels { get; }

    /// <summary>Resolution in bits.</summary>
    int Bits { get; }

    /// <summary>Converts input <paramref name="channel"/> now and returns the code.</summary>
    int Read(int channel);
}

/// <summary>The board's high-resolution timer.</summary>
public interface ITickClock
{
    /// <summary>Ticks since start.</summary>
    long Ticks { get; }

    /// <summary>Ticks per second.</summary>
    long TicksPerSecond { get; }

    /// <summary>Returns once <see cref="Ticks"/> has reached <paramref name="ticks"/> (at once if it has).</summary>
    void WaitUntil(long ticks);
}
