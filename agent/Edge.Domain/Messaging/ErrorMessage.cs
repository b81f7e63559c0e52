using System.Text.Json.Serialization;

namespace Edge.Domain.Messaging;

/// <summary>Published on <c>errors</c> when an agent rejects a message: names the topic and the problem.</summary>
public sealed record ErrorMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The reporting agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The topic the rejected message arrived on.</summary>
    public required string Topic { get; init; }

    /// <summary>What was wrong, in words.</summary>
    public required string Problem { get; init; }

    /// <summary>When the message was rejected.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// Set on an alert the agent raises of its own accord rather than a rejected message: <c>device-fault</c> when the
    /// device was parked, <c>device-recovered</c> when it is back in service (<see cref="Topic"/> is then the
    /// status topic).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Alert { get; init; }

    /// <summary>The rejected message's MQTT 5 correlation data (hex), when it had any.</summary>
    public string? CorrelationData { get; init; }
}
