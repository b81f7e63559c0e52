namespace Edge.Domain.Messaging;

/// <summary>
/// On <c>control/environment</c>, operator or trainer → agent: the environment a simulated part is in from now on
/// (a whole environment, not a change: members left out take their calibrated values, so sending the same message
/// twice is harmless). Sent by the <c>operator</c> or <c>trainer</c> identity only (deploy/mosquitto ACL); with an
/// MQTT 5 response topic the agent answers there with an <see cref="EnvironmentReplyMessage"/>, a refusal also goes
/// to its <c>errors</c> topic.
/// </summary>
public sealed record EnvironmentMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>Ambient temperature relative to calibration, in kelvin.</summary>
    public double AmbientKelvin { get; init; }

    /// <summary>Component ageing as a relative spread (0.02: a typical component moved by 2 %).</summary>
    public double Ageing { get; init; }

    /// <summary>Readout gain relative to calibration; null: 1, as calibrated.</summary>
    public double? Gain { get; init; }

    /// <summary>Idle time between drives in seconds; null keeps the part's own.</summary>
    public double? SettlingGapSeconds { get; init; }

    /// <summary>A different part under the same device id; null keeps the original part.</summary>
    public string? PartId { get; init; }
}

/// <summary>The agent's answer to an <see cref="EnvironmentMessage"/> that carried a response topic.</summary>
public sealed record EnvironmentReplyMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>True when the part now runs in the requested environment.</summary>
    public required bool Applied { get; init; }

    /// <summary>Why it was refused (null when applied).</summary>
    public string? Problem { get; init; }

    /// <summary>The part's environment after the message, in words (e.g. <c>ambient +30 K, ageing 0.02</c>).</summary>
    public required string Environment { get; init; }

    /// <summary>When the message was handled.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
