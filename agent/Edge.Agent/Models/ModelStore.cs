using System.Globalization;
using System.Text.Json;
using Edge.Agent.Configuration;
using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.IO;
using Edge.Domain.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Models;

/// <summary>
/// The agent's installed models. <see cref="InstallAsync"/> verifies a package, validates it on the calibration set
/// through the real device and activates it only if it is no worse than the active model (minus the tolerance);
/// packages and the <c>state.json</c> pointer are written atomically, so a crash leaves the old state. Live
/// classifications feed a <see cref="HealthMonitor"/>; an unhealthy model is rolled back automatically. All
/// operations are serialised; a corrupt entry found on open is reported in <see cref="Problems"/> and skipped.
/// </summary>
public sealed partial class ModelStore : IDisposable
{
    private const string StateFile = "state.json";
    private const string VersionsFolder = "versions";

    private readonly ModelsOptions _options;
    private readonly IPhysicalDevice _device;
    private readonly TrustedKeys _trust;
    private readonly CalibrationSet _calibration;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly IMeasurementTap? _tap;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<string> _problems = [];
    private readonly Dictionary<int, ModelManifest> _manifests = [];
    private StoreState _state = new();
    private HybridModel? _active;

    private ModelStore(ModelsOptions options, IPhysicalDevice device, TrustedKeys trust, CalibrationSet calibration, ILogger logger, TimeProvider clock, IMeasurementTap? tap)
    {
        _tap = tap;
        _options = options;
        _device = device;
        _trust = trust;
        _calibration = calibration;
        _logger = logger;
        _clock = clock;
        Health = new HealthMonitor(options.HealthWindow, options.MinMeanConfidence, options.MaxDeviceErrorRate);
    }

    /// <summary>Live health of the active model.</summary>
    public HealthMonitor Health { get; }

    /// <summary>Problems found when the store was opened (corrupt packages, unreadable state), each naming the entry.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The model serving classifications, or null when none is installed.</summary>
    public HybridModel? Active => _active;

    /// <summary>The hosted device.</summary>
    public IPhysicalDevice Device => _device;

    /// <summary>
    /// Opens (or creates) the store in <see cref="ModelsOptions.StoreDirectory"/>: loads the key and calibration set,
    /// re-verifies every installed package, and loads the active model. Throws <see cref="ModelStoreException"/> when
    /// the key or calibration set cannot be used.
    /// </summary>
    public static ModelStore Open(ModelsOptions options, IPhysicalDevice device, ILogger logger, TimeProvider? clock = null, IMeasurementTap? tap = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(logger);
        if (!options.Enabled)
        {
            throw new ModelStoreException($"No model store is configured: set {ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)}.");
        }

        TrustedKeys key;
        CalibrationSet calibration;
        try
        {
            key = TrustedKeys.Load([options.PublicKeyPath], []);
            calibration = CalibrationSet.Load(options.CalibrationSetPath);
        }
        catch (Exception e) when (e is ModelPackageException or InvalidDataException)
        {
            throw new ModelStoreException(e.Message, e);
        }

        var store = new ModelStore(options, device, key, calibration, logger, clock ?? TimeProvider.System, tap);
        try
        {
            Directory.CreateDirectory(Path.Combine(options.StoreDirectory, VersionsFolder));
            store.Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            store.Dispose();
            throw new ModelStoreException($"Cannot open the model store '{options.StoreDirectory}': {e.Message}", e);
        }

        return store;
    }

    /// <summary>Installed versions, newest first.</summary>
    public IReadOnlyList<ModelVersionInfo> List()
    {
        var list = new List<ModelVersionInfo>(_state.Installed.Count);
        foreach (var installed in _state.Installed)
        {
            var manifest = _manifests[installed.Version];
            list.Add(new ModelVersionInfo(installed.Version, installed.Version == _active?.Version, installed.CalibrationAccuracy, installed.InstalledAt, manifest.Task, manifest.TrainerId));
        }

        list.Sort((a, b) => b.Version.CompareTo(a.Version));
        return list;
    }

    /// <summary>Verifies, validates and (if good enough) installs and activates the package read from <paramref name="package"/>.</summary>
    public async Task<InstallResult> InstallAsync(Stream package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await InstallLockedAsync(package, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Activates <paramref name="toVersion"/>, or without it the version active before the current one. Throws
    /// <see cref="ModelStoreException"/> when there is nothing to roll back to or the version is not installed.
    /// </summary>
    public async Task<int> RollbackAsync(int? toVersion, string reason, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return RollbackLocked(toVersion, reason);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Classifies one example with the active model and records the outcome in <see cref="Health"/>; when the window
    /// turns unhealthy and an earlier version exists the store rolls back to it (logged, and visible in the result's version).
    /// </summary>
    public async Task<(InferenceResult Result, int Version)> ClassifyAsync(ReadOnlyMemory<float> features, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = _active ?? throw new ModelStoreException("No model is active: install one with 'edge-agent models install <package>'.");
            InferenceResult result;
            try
            {
                result = await model.ClassifyAsync(features, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (ArgumentException or OperationCanceledException))
            {
                Health.RecordDeviceError();
                CheckHealth();
                throw;
            }

            Health.RecordSuccess(result.Confidence);
            var version = model.Version;
            CheckHealth();
            return (result, version);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Accuracy of <paramref name="model"/> on the calibration set, run through the device.</summary>
    public async Task<double> CalibrationAccuracyAsync(HybridModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var features = new float[_calibration.FeatureCount];
        var correct = 0;
        for (var i = 0; i < _calibration.Count; i++)
        {
            _calibration.Row(i).CopyTo(features);
            var result = await model.ClassifyAsync(features, cancellationToken).ConfigureAwait(false);
            correct += result.Label == _calibration.Labels[i] ? 1 : 0;
        }

        return (double)correct / _calibration.Count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _active?.Dispose();
        _trust.Dispose();
        _gate.Dispose();
    }

    private async Task<InstallResult> InstallLockedAsync(Stream package, CancellationToken cancellationToken)
    {
        byte[] bytes;
        VerifiedModelPackage verified;
        try
        {
            bytes = ReadAll(package);
            verified = ModelPackageReader.Read(bytes, _trust);
        }
        catch (ModelPackageException e)
        {
            return Reject(0, null, null, e.Message);
        }

        var manifest = verified.Manifest;
        var version = manifest.ModelVersion;
        if (_manifests.ContainsKey(version))
        {
            return Reject(version, null, null, $"Version {version} is already installed; a new model needs a new version number.");
        }

        if (!string.Equals(manifest.CalibrationSha256, _calibration.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return Reject(version, null, null, $"The package was built for calibration set {manifest.CalibrationSha256[..12]}…, but this agent holds {_calibration.Sha256[..12]}… ({_options.CalibrationSetPath}).");
        }

        if (_calibration.FeatureCount != manifest.Input.Size)
        {
            return Reject(version, null, null, $"The calibration set has {_calibration.FeatureCount} features per example; the model takes {manifest.Input.Size}.");
        }

        HybridModel candidate;
        try
        {
            candidate = new HybridModel(verified, _device) { Tap = _tap };
        }
        catch (ModelPackageException e)
        {
            return Reject(version, null, null, e.Message);
        }

        var keep = false;
        try
        {
            var candidateAccuracy = await CalibrationAccuracyAsync(candidate, cancellationToken).ConfigureAwait(false);
            double? activeAccuracy = _active is null ? null : await CalibrationAccuracyAsync(_active, cancellationToken).ConfigureAwait(false);
            if (activeAccuracy is { } current && candidateAccuracy < current - _options.Tolerance)
            {
                return Reject(version, candidateAccuracy, activeAccuracy, $"Calibration accuracy {candidateAccuracy:P1} is below the active model {_active!.Version}'s {current:P1} minus the tolerance {_options.Tolerance:P1}; version {version} was not activated.");
            }

            var file = $"{version.ToString("D6", CultureInfo.InvariantCulture)}{ModelPackageLayout.Extension}";
            AtomicFile.Write(Path.Combine(_options.StoreDirectory, VersionsFolder, file), stream => stream.Write(bytes));
            _state.Installed.Add(new InstalledVersion(version, file, candidateAccuracy, _clock.GetUtcNow(), verified.ManifestSha256));
            _state.ActivationStack.Add(version);
            _manifests[version] = manifest;
            Prune();
            SaveState();
            Activate(candidate);
            keep = true;
            LogInstalled(_logger, version, candidateAccuracy);
            return new InstallResult(true, version, candidateAccuracy, activeAccuracy, $"Version {version} installed and active (calibration accuracy {candidateAccuracy:P1}).");
        }
        finally
        {
            if (!keep)
            {
                candidate.Dispose();
            }
        }
    }

    private InstallResult Reject(int version, double? candidate, double? active, string reason)
    {
        LogRejected(_logger, version, reason);
        return new InstallResult(false, version, candidate, active, reason);
    }

    private int RollbackLocked(int? toVersion, string reason)
    {
        var stack = _state.ActivationStack;
        int target;
        if (toVersion is { } requested)
        {
            if (!_manifests.ContainsKey(requested))
            {
                throw new ModelStoreException($"Version {requested} is not installed. Installed: {string.Join(", ", _manifests.Keys.Order())}.");
            }

            target = requested;
            var at = stack.LastIndexOf(requested);
            if (at >= 0)
            {
                stack.RemoveRange(at + 1, stack.Count - at - 1);
            }
            else
            {
                stack.Add(requested);
            }
        }
        else
        {
            if (stack.Count < 2)
            {
                throw new ModelStoreException("There is no earlier version to roll back to.");
            }

            stack.RemoveAt(stack.Count - 1);
            target = stack[^1];
        }

        var model = Load(target) ?? throw new ModelStoreException($"Version {target} can no longer be loaded; see the log.");
        var from = _active?.Version ?? 0;
        SaveState();
        Activate(model);
        LogRolledBack(_logger, from, target, reason);
        return target;
    }

    private void CheckHealth()
    {
        if (Health.Verdict() is not { } verdict)
        {
            return;
        }

        if (_state.ActivationStack.Count < 2)
        {
            LogUnhealthyNoTarget(_logger, _active?.Version ?? 0, verdict);
            Health.Reset();
            return;
        }

        RollbackLocked(null, $"automatic: {verdict}");
    }

    private void Activate(HybridModel model)
    {
        var previous = _active;
        _active = model;
        previous?.Dispose();
        Health.Reset();

        // Verifying and loading a package touches far more memory than serving it; give that back.
        _ = Hosting.WorkingSetTrimmer.Trim();
    }

    private void Prune()
    {
        var active = _state.ActivationStack.Count > 0 ? _state.ActivationStack[^1] : 0;
        while (_state.Installed.Count > _options.KeepVersions)
        {
            // Oldest install first, never the active version.
            var victim = _state.Installed.Find(v => v.Version != active)!;
            _state.Installed.Remove(victim);
            _state.ActivationStack.RemoveAll(v => v == victim.Version);
            _manifests.Remove(victim.Version);
            File.Delete(Path.Combine(_options.StoreDirectory, VersionsFolder, victim.File));
            LogPruned(_logger, victim.Version);
        }
    }

    private void SaveState()
        => AtomicFile.Write(Path.Combine(_options.StoreDirectory, StateFile), stream => JsonSerializer.Serialize(stream, _state, StoreJsonContext.Default.StoreState));

    private static byte[] ReadAll(Stream package)
    {
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = package.Read(chunk)) > 0)
        {
            if (copy.Length + read > ModelPackageLayout.MaxPackageBytes)
            {
                throw new ModelPackageException($"Package exceeds the limit of {ModelPackageLayout.MaxPackageBytes} bytes.");
            }

            copy.Write(chunk, 0, read);
        }

        return copy.ToArray();
    }
}
