using Edge.Agent.Configuration;
using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Models;

/// <summary>
/// The agent's installed models, as one small facade over parts that each do one job: <see cref="StoreStateFile"/>
/// (state.json, its copy, the floor record and the packages, written durably and atomically), <see cref="OfferSpool"/>
/// (an incoming package goes to disk once, capped), <see cref="VersionPolicy"/> (the anti-rollback floor, refused
/// packages, pruning), <see cref="CandidateValidator"/> (the calibration gate) and <see cref="ActiveModel"/> (serves
/// classifications). Installs and rollbacks take turns under one lock; classifications never take it, so verifying
/// and validating a candidate only shares the device with them. Every change is saved before it takes effect, so a
/// crash, a power loss or a full disk at any instant leaves a store that boots a valid model; what the store repairs
/// when it opens is reported in <see cref="Problems"/>, <see cref="ProblemReported"/> and <see cref="Recoveries"/>.
/// </summary>
public sealed partial class ModelStore : IDisposable, Messaging.IActiveModelSource, Messaging.IProblemSource
{
    private readonly ModelsOptions _options;
    private readonly IPhysicalDevice _device;
    private readonly TrustedKeys _trust;
    private readonly CalibrationSet _calibration;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly IMeasurementTap? _tap;
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly StoreFileSystem _fileSystem;
    private readonly StoreStateFile _files;
    private readonly OfferSpool _spool;
    private readonly CandidateValidator _validator;
    private readonly ActiveModel _active = new();
    private readonly Lock _healthLock = new();
    private volatile LiveHealth? _liveHealth;
    private readonly LiveClassMix _classMix;
    private const int MaxProblems = 256;
    private readonly List<string> _problems = [];
    private readonly Dictionary<int, ModelManifest> _manifests = [];
    private StoreState _state = new();

    private ModelStore(
        ModelsOptions options,
        IPhysicalDevice device,
        TrustedKeys trust,
        CalibrationSet calibration,
        ILogger logger,
        TimeProvider clock,
        IMeasurementTap? tap,
        StoreFileSystem fileSystem)
    {
        (_options, _device, _trust, _calibration) = (options, device, trust, calibration);
        _classMix = new LiveClassMix(calibration.Labels);
        (_logger, _clock, _tap, _fileSystem) = (logger, clock, tap, fileSystem);
        _files = new StoreStateFile(options.StoreDirectory, fileSystem);
        _spool = new OfferSpool(fileSystem, _files.IncomingDirectory, ModelPackageLayout.MaxPackageBytes);
        _validator = new CandidateValidator(
            calibration, options.CalibrationPasses, options.Tolerance, options.GateSignificance);
        Health = new HealthMonitor(
            options.HealthWindow,
            options.MinMeanConfidence,
            options.MaxDeviceErrorRate,
            options.CalibrationProbeWindow,
            options.MaxCalibrationDrop);
    }

    /// <summary>Live health of the active model.</summary>
    public HealthMonitor Health { get; }

    /// <summary>
    /// Problems since the store opened, each naming the file or the cause: what it repaired on open (unreadable or
    /// missing state, corrupt packages, files left by an interrupted install) and later failures (a full disk); the
    /// newest 256.
    /// </summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>What the store repaired on open, this time and before (persisted in its state), oldest first.
    /// </summary>
    public IReadOnlyList<StoreRecovery> Recoveries => [.. _state.Recoveries];

    /// <summary>
    /// Raised for each problem found after the store opened (the ones found while opening are in
    /// <see cref="Problems"/> already): for the MQTT service to publish on the errors topic.
    /// </summary>
    public event Action<string>? ProblemReported;

    /// <inheritdoc />
    public string Component => "agent/model-store";

    /// <summary>The manifest of the model serving classifications, or null when none is installed.</summary>
    public ModelManifest? ActiveManifest => _active.Manifest;

    /// <summary>The version serving classifications, or null when none is installed.</summary>
    public int? ActiveVersion => _active.Manifest?.ModelVersion;

    /// <inheritdoc />
    public event Action? ActiveChanged;

    /// <summary>The anti-rollback floor: the highest version ever activated; offers at or below it are refused.
    /// </summary>
    public int Floor => _state.Floor;

    /// <summary>The hosted device.</summary>
    public IPhysicalDevice Device => _device;

    /// <summary>
    /// Opens (or creates) the store in <see cref="ModelsOptions.StoreDirectory"/>: loads the trust set and the
    /// calibration set, repairs what a crash or a bad file left behind, re-verifies every installed package, and loads
    /// the active model. Throws <see cref="ModelStoreException"/> when the keys or the calibration set cannot be used.
    /// <paramref name="fileSystem"/> (default: the real disk) performs every write, for fault tests.
    /// </summary>
    public static ModelStore Open(
        ModelsOptions options,
        IPhysicalDevice device,
        ILogger logger,
        TimeProvider? clock = null,
        IMeasurementTap? tap = null,
        StoreFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(logger);
        if (!options.Enabled)
        {
            const string setting = $"{ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)}";
            throw new ModelStoreException($"No model store is configured: set {setting}.");
        }

        TrustedKeys trust;
        CalibrationSet calibration;
        try
        {
            trust = TrustedKeys.Load(options.KeyPaths, options.RevokedKeyIds);
        }
        catch (ModelPackageException e)
        {
            throw new ModelStoreException(e.Message, e);
        }

        try
        {
            calibration = CalibrationSet.Load(options.CalibrationSetPath);
        }
        catch (Exception e) when (e is ModelPackageException or InvalidDataException)
        {
            trust.Dispose();
            throw new ModelStoreException(e.Message, e);
        }

        ModelStore? store = null;
        try
        {
            store = new ModelStore(
                options, device, trust, calibration, logger, clock ?? TimeProvider.System, tap,
                fileSystem ?? StoreFileSystem.Physical);
            store.Load();
            return store;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (store is null)
            {
                trust.Dispose();
            }

            store?.Dispose();
            throw new ModelStoreException($"Cannot open the model store '{options.StoreDirectory}': {e.Message}", e);
        }
    }

    /// <summary>Installed versions, newest first.</summary>
    public IReadOnlyList<ModelVersionInfo> List()
    {
        var active = ActiveVersion;
        var list = new List<ModelVersionInfo>(_state.Installed.Count);
        foreach (var installed in _state.Installed)
        {
            var manifest = _manifests[installed.Version];
            list.Add(new ModelVersionInfo(
                installed.Version,
                installed.Version == active,
                installed.CalibrationAccuracy,
                installed.InstalledAt,
                manifest.Task,
                manifest.TrainerId));
        }

        list.Sort((a, b) => b.Version.CompareTo(a.Version));
        return list;
    }

    /// <summary>
    /// Classifies one example with the active model; a <see cref="InferenceOrigin.Local"/> one also records its
    /// outcome in <see cref="Health"/>, and when the window turns unhealthy and an earlier version is held the store
    /// rolls back to it (logged, and visible in the result's version). Never waits for an install being validated.
    /// </summary>
    public async Task<(InferenceResult Result, int Version)> ClassifyAsync(
        ReadOnlyMemory<float> features,
        InferenceOrigin origin = InferenceOrigin.Local,
        CancellationToken cancellationToken = default)
    {
        using var lease = _active.Acquire() ?? throw new ModelStoreException(
            "No model is active: install one with 'edge-agent models install <package>'.");
        InferenceResult result;
        try
        {
            result = await lease.ClassifyAsync(features, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (ArgumentException or OperationCanceledException))
        {
            // A parked device is the hardware's fault, not the model's: it must not roll a good model back.
            if (origin == InferenceOrigin.Local && e is not Supervision.DeviceParkedException)
            {
                await RecordHealthAsync(lease.Version, null).ConfigureAwait(false);
            }

            throw;
        }

        // The twin's answers say nothing about how the model does on its device.
        if (origin == InferenceOrigin.Local && !result.Degraded)
        {
            _classMix.Add(result.Label);
            await RecordHealthAsync(lease.Version, result.Confidence).ConfigureAwait(false);
        }

        return (result, lease.Version);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _active.Dispose();
        _trust.Dispose();
        _changes.Dispose();
    }

    /// <summary>Feeds the health window; an unhealthy verdict rolls back unless a change is under way.</summary>
    private async Task RecordHealthAsync(int version, float? confidence)
    {
        string? verdict;
        lock (_healthLock)
        {
            if (version != ActiveVersion)
            {
                return;
            }

            if (confidence is { } c)
            {
                Health.RecordSuccess(c);
            }
            else
            {
                Health.RecordDeviceError();
            }

            verdict = Health.Verdict();
        }

        await RollBackIfUnhealthyAsync(version, verdict).ConfigureAwait(false);
    }

    /// <summary>Rolls back on an unhealthy <paramref name="verdict"/> unless a change is under way.</summary>
    private async Task RollBackIfUnhealthyAsync(int version, string? verdict)
    {
        // A busy store keeps the verdict; the next classification tries again once the change is done.
        if (verdict is null || !await _changes.WaitAsync(0).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            if (version == ActiveVersion)
            {
                RollBackUnhealthy(verdict);
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    private void Activate(HybridModel model)
    {
        lock (_healthLock)
        {
            _active.Swap(model);
            Health.Reset();
            _classMix.Clear();
        }

        ActiveChanged?.Invoke();

        // Verifying and loading a package touches far more memory than serving it; give that back.
        _ = Hosting.WorkingSetTrimmer.Trim();
    }
}
