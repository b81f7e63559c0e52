namespace Edge.Agent.Messaging;

/// <summary>
/// Size limits the agent announces to the broker so it never receives a message it would refuse anyway.
/// </summary>
public static class InboundLimits
{
    /// <summary>
    /// Largest model package an offer may carry, in bytes (8 MiB). The one place to change when the package limit
    /// (<c>ModelPackageLayout.MaxPackageBytes</c>) changes.
    /// </summary>
    public const int MaxOfferPackageBytes = 8 << 20;

    /// <summary>
    /// Room for the MQTT fixed header, topic, properties and the offer frame around the package (64 KiB).
    /// </summary>
    public const int PacketHeadroomBytes = 64 << 10;

    /// <summary>
    /// The MQTT 5 Maximum Packet Size the agent announces in CONNECT: the broker drops larger messages instead of
    /// delivering them, so none reaches the agent's memory.
    /// </summary>
    public const uint MaxPacketBytes = MaxOfferPackageBytes + PacketHeadroomBytes;
}
