using Edge.Trainer.Live.Updates;

namespace Edge.Trainer.Service;

/// <summary>
/// Periodic field updates of <c>serve</c>, bound from <c>Edge:FieldUpdates</c>: off until <see cref="Watch"/> names
/// a device. Each setting has a <c>serve</c> option of the same meaning (<c>--watch</c>, <c>--signing-key</c>, …).
/// </summary>
public sealed class FieldUpdateSettings
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:FieldUpdates";

    /// <summary>
    /// <c>DEVICE=PACKAGE</c>: agents to watch, each with the package it runs. Empty: no field updates.
    /// </summary>
    public List<string> Watch { get; } = [];

    /// <summary>Private key (PEM) that signs field-update packages.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The calibration set (CSV) the watched agents hold.</summary>
    public string? Calibration { get; set; }

    /// <summary>Task the watched models solve (training data of field updates).</summary>
    public string Task { get; set; } = "vowels";

    /// <summary>Physical system of the watched agents.</summary>
    public string System { get; set; } = "electronic";

    /// <summary>
    /// Fall of an agent's live accuracy (its calibration probes) below its level when the running model began to run
    /// that starts a field update (0.03 = three points). It decides wherever the agent publishes a live accuracy.
    /// </summary>
    public double AccuracyDrop { get; set; } = 0.03;

    /// <summary>
    /// Probe rounds an agent's live accuracy must average before it becomes the running model's reference (4).
    /// </summary>
    public int AccuracyReferenceRounds { get; set; } = 4;

    /// <summary>
    /// Relative rise of a device's twin residual that starts a field update (0.15 = 15 %), for agents that publish no
    /// live accuracy.
    /// </summary>
    public double DriftThreshold { get; set; } = 0.15;

    /// <summary>No drift update sooner than this after a device's last accepted or refused session.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Longest wait after refusals in a row, or sessions in a row that left a part short of its accuracy reference
    /// (each doubles the cooldown), 6 h.
    /// </summary>
    public TimeSpan RefusalBackoffCap { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Sessions that have not brought a part back within <see cref="AccuracyDrop"/> of its accuracy reference (the
    /// best live accuracy one of its versions settled at) after which the trainer raises its alert (3).
    /// </summary>
    public int RecoveryAlertSessions { get; set; } = 3;

    /// <summary>Newest measurements of a device the drift score uses.</summary>
    public int DriftSamples { get; set; } = 300;

    /// <summary>Fewer measurements than this give no drift score.</summary>
    public int DriftMinSamples { get; set; } = 150;

    /// <summary>How often drift is scored.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Also re-train each device this often; null: only on drift.</summary>
    public TimeSpan? UpdateEvery { get; set; }

    /// <summary>Fresh drives a field update plays to refit the device's twin.</summary>
    public int UpdateTwinSamples { get; set; } = 6_000;

    /// <summary>PAT epochs of a field update.</summary>
    public int UpdateEpochs { get; set; } = 20;

    /// <summary>Folder that keeps every field-update package offered (<c>{device}-v{version}.edgepkg</c>).</summary>
    public string UpdatePackages { get; set; } = "field-updates";

    /// <summary>The drift watch's policy from these settings.</summary>
    public FieldUpdatePolicy Policy() => new()
    {
        DriftThreshold = DriftThreshold,
        AccuracyDropThreshold = AccuracyDrop,
        AccuracyReferenceRounds = AccuracyReferenceRounds,
        CheckInterval = CheckEvery,
        Schedule = UpdateEvery,
        Cooldown = Cooldown,
        RefusalBackoffCap = RefusalBackoffCap,
        RecoveryAlertSessions = RecoveryAlertSessions,
        DriftSamples = DriftSamples,
        MinimumSamples = DriftMinSamples,
    };

    /// <summary>Every problem of these settings, each naming its key.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool valid, string key, string problem)
        {
            if (!valid)
            {
                problems.Add($"{SectionName}:{key}: {problem}");
            }
        }

        Require(
            double.IsFinite(DriftThreshold) && DriftThreshold > 0,
            nameof(DriftThreshold),
            $"must be a positive relative rise (0.15 = 15 %), was {DriftThreshold}.");
        Require(
            AccuracyDrop is > 0 and < 1,
            nameof(AccuracyDrop),
            $"must be a fall of accuracy in (0, 1) (0.03 = three points), was {AccuracyDrop}.");
        Require(
            AccuracyReferenceRounds is >= 1 and <= 100,
            nameof(AccuracyReferenceRounds),
            $"must lie in 1..100 probe rounds, was {AccuracyReferenceRounds}.");
        Require(CheckEvery > TimeSpan.Zero, nameof(CheckEvery), $"must be positive, was {CheckEvery}.");
        Require(
            UpdateEvery is null || UpdateEvery > TimeSpan.Zero,
            nameof(UpdateEvery),
            $"must be positive, was {UpdateEvery}.");
        Require(Cooldown >= TimeSpan.Zero, nameof(Cooldown), $"must not be negative, was {Cooldown}.");
        Require(
            RefusalBackoffCap >= Cooldown,
            nameof(RefusalBackoffCap),
            $"must not be shorter than {nameof(Cooldown)} ({Cooldown}), was {RefusalBackoffCap}.");
        Require(
            RecoveryAlertSessions is >= 1 and <= 100,
            nameof(RecoveryAlertSessions),
            $"must lie in 1..100 sessions, was {RecoveryAlertSessions}.");
        Require(
            DriftMinSamples >= 1 && DriftSamples >= DriftMinSamples,
            nameof(DriftMinSamples),
            $"must be at least 1 and at most {nameof(DriftSamples)} ({DriftSamples}), was {DriftMinSamples}.");
        Require(UpdateTwinSamples > 0, nameof(UpdateTwinSamples), $"must be positive, was {UpdateTwinSamples}.");
        Require(UpdateEpochs > 0, nameof(UpdateEpochs), $"must be positive, was {UpdateEpochs}.");
        for (var i = 0; i < Watch.Count; i++)
        {
            var equals = Watch[i].IndexOf('=', StringComparison.Ordinal);
            Require(
                equals > 0 && equals < Watch[i].Length - 1,
                $"{nameof(Watch)}:{i}",
                $"'{Watch[i]}': expected DEVICE=PACKAGE.");
        }

        if (Watch.Count > 0)
        {
            Require(SigningKey is not null, nameof(SigningKey), "field updates are signed packages: set the key.");
            Require(
                Calibration is not null,
                nameof(Calibration),
                "the agents' calibration set is hashed into each package: set its CSV file.");
            Require(
                SigningKey is null || File.Exists(SigningKey),
                nameof(SigningKey),
                $"'{SigningKey}' does not exist.");
            Require(
                Calibration is null || File.Exists(Calibration),
                nameof(Calibration),
                $"'{Calibration}' does not exist.");
        }

        return problems;
    }
}
