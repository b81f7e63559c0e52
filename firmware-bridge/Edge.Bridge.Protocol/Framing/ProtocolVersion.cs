namespace Edge.Bridge.Protocol;

/// <summary>Protocol versions this code speaks and the Hello/HelloAck negotiation rule.</summary>
public static class ProtocolVersion
{
    /// <summary>The version this code writes and accepts.</summary>
    public const byte Current = 1;

    /// <summary>Oldest version this code speaks.</summary>
    public const byte Minimum = 1;

    /// <summary>Picks the newest version both sides speak.</summary>
    /// <param name="hostMin">Host's oldest version.</param>
    /// <param name="hostMax">Host's newest version.</param>
    /// <param name="deviceMin">Device's oldest version.</param>
    /// <param name="deviceMax">Device's newest version.</param>
    /// <returns>The selected version, or -1 when the ranges do not overlap.</returns>
    public static int Negotiate(byte hostMin, byte hostMax, byte deviceMin, byte deviceMax)
    {
        var high = hostMax < deviceMax ? hostMax : deviceMax;
        var low = hostMin > deviceMin ? hostMin : deviceMin;
        return high >= low ? high : -1;
    }
}
