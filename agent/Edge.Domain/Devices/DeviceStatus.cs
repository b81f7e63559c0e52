namespace Edge.Domain.Devices;

/// <summary>What a device backend knows about its own health and timing, for status reports and health
/// checks.</summary>
/// <param name="Ready">Whether a forward now can succeed (false while a bridge link is down and reconnecting).</param>
/// <param name="State">Short state name, e.g. <c>ready</c>, <c>reconnecting</c>.</param>
/// <param name="Problem">Why it is not ready, or the last problem it recovered from; null when there is none.</param>
/// <param name="Figures">Measured figures by name with their unit in the name, e.g. <c>sampleRateHz</c>.</param>
public sealed record DeviceStatus(
    bool Ready,
    string State,
    string? Problem,
    IReadOnlyDictionary<string, double> Figures);

/// <summary>A device backend that reports a <see cref="DeviceStatus"/>.</summary>
public interface IReportsDeviceStatus
{
    /// <summary>The status now; cheap and thread-safe.</summary>
    DeviceStatus GetStatus();
}
