namespace Edge.Agent.Configuration;

/// <summary>The model store, bound from <c>Edge:Models</c>. An empty <see cref="StoreDirectory"/> disables
/// models.</summary>
public sealed class ModelsOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Models";

    /// <summary>Folder holding installed packages and the active pointer; empty when the agent serves no
    /// models.</summary>
    public string StoreDirectory { get; set; } = "";

    /// <summary>
    /// PEM file with the trainer's ECDSA P-256 public key: a one-key shorthand for <see cref="TrustedKeyPaths"/> (both
    /// may be set; the trust set is their union).
    /// </summary>
    public string PublicKeyPath { get; set; } = "";

    /// <summary>
    /// PEM files of the public keys packages and rollback instructions are accepted from (the trust set, keyed by key
    /// id): add the new key here to rotate the trainer key without re-flashing the fleet.
    /// </summary>
    public string[] TrustedKeyPaths { get; set; } = [];

    /// <summary>Key ids (16 lower-case hex digits) refused even while their PEM is still configured.</summary>
    public string[] RevokedKeyIds { get; set; } = [];

    /// <summary>The fleet (part class) this agent belongs to: a package targeting it is for this agent too.</summary>
    public string Fleet { get; set; } = "";

    /// <summary>The labelled calibration file candidates are validated on (its SHA-256 must match the
    /// package's).</summary>
    public string CalibrationSetPath { get; set; } = "";

    /// <summary>How many installed versions are kept (the active one always is); at least 2 so rollback has a
    /// target.</summary>
    public int KeepVersions { get; set; } = 3;

    /// <summary>A candidate is activated only if its calibration accuracy ≥ the active model's minus this
    /// (0..1).</summary>
    public double Tolerance { get; set; } = 0.02;

    /// <summary>
    /// Passes over the calibration set in the gate; each example is classified by the candidate and the active model
    /// back to back, so each pass adds one pair per example (1..20).
    /// </summary>
    public int CalibrationPasses { get; set; } = 3;

    /// <summary>
    /// One-sided significance of the gate's sign test: a candidate is refused only if it is worse than the active model
    /// minus <see cref="Tolerance"/> and the discordant pairs make that significant at this level (0..1, exclusive).
    /// </summary>
    public double GateSignificance { get; set; } = 0.05;

    /// <summary>A signed rollback instruction older than this many hours is refused as stale.</summary>
    public double RollbackMaxAgeHours { get; set; } = 24;

    /// <summary>Classifications in the rolling health window.</summary>
    public int HealthWindow { get; set; } = 50;

    /// <summary>Roll back when the window's mean winning-class probability falls below this (0..1).</summary>
    public double MinMeanConfidence { get; set; } = 0.35;

    /// <summary>Roll back when more than this fraction of the window's device calls failed (0..1).</summary>
    public double MaxDeviceErrorRate { get; set; } = 0.2;

    /// <summary>
    /// Seconds between calibration probe rounds: the active model classifies the calibration set on the device (labels
    /// known), so live accuracy is measured, not guessed from confidence; 0 turns the probes off.
    /// </summary>
    public double CalibrationProbeSeconds { get; set; } = 60;

    /// <summary>Probe rounds averaged into the live calibration accuracy.</summary>
    public int CalibrationProbeWindow { get; set; } = 4;

    /// <summary>
    /// Roll back when the live calibration accuracy is more than this below the install-time figure (0..1).
    /// </summary>
    public double MaxCalibrationDrop { get; set; } = 0.10;

    /// <summary>True when a store is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(StoreDirectory);

    /// <summary>Every configured public key file: <see cref="PublicKeyPath"/> (if set), <see cref="TrustedKeyPaths"/>.
    /// </summary>
    public IReadOnlyList<string> KeyPaths
        => string.IsNullOrWhiteSpace(PublicKeyPath) ? TrustedKeyPaths : [PublicKeyPath, .. TrustedKeyPaths];
}
