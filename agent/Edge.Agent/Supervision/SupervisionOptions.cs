namespace Edge.Agent.Supervision;

/// <summary>
/// How the device supervisor detects a failing device and probes a parked one, bound from <c>Edge:Supervision</c>.
/// </summary>
public sealed class SupervisionOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Supervision";

    /// <summary>False passes every device call straight through: no trip, no fallback, no probing.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Consecutive device calls whose every drive came back stuck (identical codes) or saturated (rail codes) before
    /// the device is parked. A failing call (I/O error, NACK, timeout) parks it at once.
    /// </summary>
    public int SuspectCallsToTrip { get; set; } = 3;

    /// <summary>Wait before the first probe of a parked device; each failed probe doubles it.</summary>
    public int FirstProbeMilliseconds { get; set; } = 500;

    /// <summary>The longest wait between two probes of a parked device.</summary>
    public int MaxProbeMilliseconds { get; set; } = 30_000;

    /// <summary>
    /// A device call running longer than this counts as a hung device loop: the systemd watchdog pings stop until it
    /// returns (the unit's <c>WatchdogSec</c> then restarts the agent).
    /// </summary>
    public int HangSeconds { get; set; } = 10;
}
