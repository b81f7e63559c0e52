using System.Text.Json.Serialization;
using Edge.Domain.Specs;

namespace Edge.Domain.Messaging;

/// <summary>The retained <c>status</c> of an agent: online with its layer spec, or offline (also its MQTT last
/// will).</summary>
public sealed record StatusMessage : IControlMessage
{
    /// <summary>The state of an agent that is connected and serving.</summary>
    public const string Online = "online";

    /// <summary>The state of an agent that stopped or lost its connection.</summary>
    public const string Offline = "offline";

    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary><see cref="Online"/> or <see cref="Offline"/>.</summary>
    public required string State { get; init; }

    /// <summary>
    /// When the status was written; absent in the last will, which is written at connect time but published by the
    /// broker when the connection is lost — the broker's delivery time is the disconnect time.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The physical system's name, when online.</summary>
    public string? System { get; init; }

    /// <summary>The layer the device computes, when online; a remote trainer sizes its drives from it.</summary>
    public LayerSpec? Spec { get; init; }

    /// <summary>The active model version (a number), omitted when the agent has no active model.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ModelVersion { get; init; }

    /// <summary>
    /// The active model's live accuracy on the agent's calibration set (mean of its recent calibration probe rounds,
    /// 0..1), omitted before the first round: how the part is doing now, beside the install-time figure.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LiveAccuracy { get; init; }

    /// <summary>
    /// Probe rounds averaged into <see cref="LiveAccuracy"/> (its window restarts when a model is activated), omitted
    /// with it: a watcher takes a figure as the model's reference only once it holds enough rounds.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LiveAccuracyRounds { get; init; }

    /// <summary>
    /// How far the classes the active model predicted on recent traffic are from its calibration set's class mix
    /// (total variation distance, 0..1): a drift signal that needs no labels. Omitted before enough answers.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ClassShift { get; init; }

    /// <summary>
    /// When online: true while the device is parked after a fault and inference runs on the model's digital twin.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Degraded { get; init; }

    /// <summary>
    /// While degraded: the fault that parked the device (<c>adc-stuck</c>, <c>adc-saturated</c>,
    /// <c>device-error</c>, <c>timeout</c>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeviceFault { get; init; }
}
