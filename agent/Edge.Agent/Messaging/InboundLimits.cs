using Edge.Domain.Models;

namespace Edge.Agent.Messaging;

/// <summary>
/// Size limits the agent announces to the broker so it never receives a message it would refuse anyway.
/// </summary>
public static class InboundLimits
{
    /// <summary>Largest model package an offer may carry, in bytes: the package limit.</summary>
    public const int MaxOfferPackageBytes = (int)ModelPackageLayout.MaxPackageBytes;

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
