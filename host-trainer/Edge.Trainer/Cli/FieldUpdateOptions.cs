using System.CommandLine;
using Edge.Trainer.Service;

namespace Edge.Trainer.Cli;

/// <summary>
/// The <c>serve</c> options that turn on periodic updates, each setting its <c>Edge:FieldUpdates</c> key
/// (<see cref="FieldUpdateSettings"/>): which devices to watch (each with the package it runs), the signing key and
/// calibration set of new packages, the drift threshold and the schedule.
/// </summary>
internal sealed class FieldUpdateOptions
{
    private const string Section = FieldUpdateSettings.SectionName;

    private readonly Option<string[]> _watch = new("--watch")
    {
        Description = "DEVICE=PACKAGE: watch this agent, which runs this package (repeatable). Turns on field updates.",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<FileInfo?> _key = new("--signing-key")
    {
        Description = "Private key (PEM) that signs field-update packages.",
    };

    private readonly Option<FileInfo?> _calibration = new("--calibration")
    {
        Description = "The calibration set (CSV) the watched agents hold.",
    };

    private readonly Option<string> _task = new("--task")
    {
        Description = "Task the watched models solve (training data of field updates; default vowels).",
    };

    private readonly Option<string> _system = new("--system")
    {
        Description = "Physical system of the watched agents (default electronic).",
    };

    private readonly Option<double> _accuracyDrop = new("--accuracy-drop")
    {
        Description = "Fall of an agent's live accuracy (its calibration probes) below its level when the model "
            + "began to run that starts a field update (default 0.03: three points).",
    };

    private readonly Option<int> _referenceRounds = new("--accuracy-reference-rounds")
    {
        Description = "Probe rounds an agent's live accuracy must average before it becomes the running model's "
            + "reference (default 4).",
    };

    private readonly Option<double> _threshold = new("--drift-threshold")
    {
        Description = "Relative rise of a device's twin residual that starts a field update, for agents that "
            + "publish no live accuracy (default 0.15).",
    };

    private readonly Option<TimeSpan> _cooldown = new("--cooldown")
    {
        Description = "No drift update sooner than this after a device's last accepted or refused session "
            + "(default 00:10:00).",
    };

    private readonly Option<TimeSpan> _backoffCap = new("--refusal-backoff-cap")
    {
        Description = "Longest wait after refusals in a row, or sessions in a row that left a part short of its "
            + "accuracy reference; each doubles the cooldown (default 06:00:00).",
    };

    private readonly Option<int> _recoveryAlert = new("--recovery-alert-sessions")
    {
        Description = "Sessions that have not brought a part back within --accuracy-drop of its accuracy reference "
            + "(the best live accuracy one of its versions settled at) before the alert is raised (default 3).",
    };

    private readonly Option<int> _driftSamples = new("--drift-samples")
    {
        Description = "Newest measurements of a device the drift score uses (default 300).",
    };

    private readonly Option<int> _minimumSamples = new("--drift-min-samples")
    {
        Description = "Fewer measurements than this give no drift score (default 150).",
    };

    private readonly Option<TimeSpan> _checkEvery = new("--check-every")
    {
        Description = "How often drift is scored (default 00:01:00: with the agent's 60-s probes, a fall of 3 points "
            + "is acted on within 5 minutes; bench drift --score live).",
    };

    private readonly Option<TimeSpan?> _updateEvery = new("--update-every")
    {
        Description = "Also re-train each device this often (e.g. 1.00:00:00); default: only on drift.",
    };

    private readonly Option<int> _twinSamples = new("--update-twin-samples")
    {
        Description = "Fresh drives a field update plays to refit the device's twin (default 6000).",
    };

    private readonly Option<int> _epochs = new("--update-epochs")
    {
        Description = "PAT epochs of a field update (default 20).",
    };

    private readonly Option<DirectoryInfo> _packages = new("--update-packages")
    {
        Description = "Folder that keeps every field-update package offered ({device}-v{version}.edgepkg; "
            + "default field-updates).",
    };

    /// <summary>
    /// Adds the options to <paramref name="command"/>, each mapped onto its key in <paramref name="settings"/>.
    /// </summary>
    public void AddTo(Command command, CommandLineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        (Option Option, string Key, bool IsPath)[] options =
        [
            (_watch, nameof(FieldUpdateSettings.Watch), false),
            (_key, nameof(FieldUpdateSettings.SigningKey), true),
            (_calibration, nameof(FieldUpdateSettings.Calibration), true),
            (_task, nameof(FieldUpdateSettings.Task), false),
            (_system, nameof(FieldUpdateSettings.System), false),
            (_accuracyDrop, nameof(FieldUpdateSettings.AccuracyDrop), false),
            (_referenceRounds, nameof(FieldUpdateSettings.AccuracyReferenceRounds), false),
            (_threshold, nameof(FieldUpdateSettings.DriftThreshold), false),
            (_cooldown, nameof(FieldUpdateSettings.Cooldown), false),
            (_backoffCap, nameof(FieldUpdateSettings.RefusalBackoffCap), false),
            (_recoveryAlert, nameof(FieldUpdateSettings.RecoveryAlertSessions), false),
            (_driftSamples, nameof(FieldUpdateSettings.DriftSamples), false),
            (_minimumSamples, nameof(FieldUpdateSettings.DriftMinSamples), false),
            (_checkEvery, nameof(FieldUpdateSettings.CheckEvery), false),
            (_updateEvery, nameof(FieldUpdateSettings.UpdateEvery), false),
            (_twinSamples, nameof(FieldUpdateSettings.UpdateTwinSamples), false),
            (_epochs, nameof(FieldUpdateSettings.UpdateEpochs), false),
            (_packages, nameof(FieldUpdateSettings.UpdatePackages), true),
        ];
        foreach (var (option, key, isPath) in options)
        {
            command.Options.Add(option);
            settings.Map(option, $"{Section}:{key}", isPath);
        }
    }
}
