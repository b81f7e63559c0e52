namespace Edge.Devices.Analog;

/// <summary>One DAC output, seen by a layer backend as a code sink with a known resolution and speed.</summary>
public interface IDacChannel
{
    /// <summary>Resolution in bits: codes run from 0 to 2^bits − 1.</summary>
    int Bits { get; }

    /// <summary>Fastest update rate the chip and its bus allow, in updates per second.</summary>
    double MaxUpdateRateHz { get; }

    /// <summary>Sets the output to <paramref name="code"/> (0 … 2^<see cref="Bits"/> − 1).</summary>
    void Write(int code);
}
