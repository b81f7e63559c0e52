using System.Globalization;
using Edge.Agent.Inference;
using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>Installing a package: spool, verify, screen against the floor and refusals, validate, activate.</summary>
public sealed partial class ModelStore
{
    /// <summary>
    /// Spools <paramref name="package"/> to the store (one copy, capped), then verifies, validates and, if good
    /// enough, installs and activates it.
    /// </summary>
    public async Task<InstallResult> InstallAsync(Stream package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        SpooledPackage spooled;
        try
        {
            spooled = await _spool.SpoolAsync(package, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelPackageException e)
        {
            return Reject(0, e.Message);
        }

        using (spooled)
        {
            return await InstallSpooledAsync(spooled, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes <paramref name="package"/> (an offer's slice of the MQTT payload) to the spool before anything else, then
    /// installs it as <see cref="InstallAsync(Stream, CancellationToken)"/> does.
    /// </summary>
    public async Task<InstallResult> InstallAsync(
        ReadOnlyMemory<byte> package,
        CancellationToken cancellationToken = default)
    {
        SpooledPackage spooled;
        try
        {
            spooled = _spool.Spool(package.Span);
        }
        catch (ModelPackageException e)
        {
            return Reject(0, e.Message);
        }

        using (spooled)
        {
            return await InstallSpooledAsync(spooled, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<InstallResult> InstallSpooledAsync(SpooledPackage spooled, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VerifiedModelPackage verified;
            try
            {
                verified = ModelPackageReader.Read(spooled.Path, _trust);
            }
            catch (ModelPackageException e)
            {
                return Reject(0, e.Message);
            }

            var version = verified.Manifest.ModelVersion;
            if (VersionPolicy.Screen(_state, version, verified.ManifestSha256) is { } screened)
            {
                return Reject(version, screened);
            }

            if (Misfit(verified.Manifest) is { } misfit)
            {
                return Refuse(verified, misfit, null);
            }

            HybridModel candidate;
            try
            {
                candidate = new HybridModel(verified, _device) { Tap = _tap };
            }
            catch (ModelPackageException e)
            {
                return Refuse(verified, e.Message, null);
            }

            return await ValidateAndActivateAsync(verified, candidate, spooled, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task<InstallResult> ValidateAndActivateAsync(
        VerifiedModelPackage verified,
        HybridModel candidate,
        SpooledPackage spooled,
        CancellationToken cancellationToken)
    {
        var keep = false;
        try
        {
            GateVerdict verdict;
            double? activeRecorded;
            using (var active = _active.Acquire())
            {
                verdict = await _validator.ValidateAsync(candidate, active, cancellationToken).ConfigureAwait(false);
                activeRecorded = active is null
                    ? null
                    : _state.Installed.Find(v => v.Version == active.Version)?.CalibrationAccuracy;
            }

            if (!verdict.Accepted)
            {
                return Refuse(verified, verdict.Reason, verdict);
            }

            var version = candidate.Version;
            var file = $"{version.ToString("D6", CultureInfo.InvariantCulture)}{ModelPackageLayout.Extension}";
            spooled.MoveTo(_files.PackagePath(file));
            var accuracy = verdict.CandidateAccuracy ?? activeRecorded ?? double.NaN;
            var installedAt = _clock.GetUtcNow();
            _state.Installed.Add(new InstalledVersion(version, file, accuracy, installedAt, verified.ManifestSha256));
            _state.ActivationStack.Add(version);
            VersionPolicy.Activated(_state, version);
            _manifests[version] = verified.Manifest;
            var victims = VersionPolicy.PruneVictims(_state, _options.KeepVersions);
            foreach (var victim in victims)
            {
                _state.Installed.Remove(victim);
                _state.ActivationStack.RemoveAll(v => v == victim.Version);
                _manifests.Remove(victim.Version);
            }

            // The new state (and the floor) is on disk before anything is deleted: a crash leaves no dangling entry.
            _files.Write(_state);
            foreach (var victim in victims)
            {
                File.Delete(_files.PackagePath(victim.File));
                LogPruned(_logger, victim.Version);
            }

            Activate(candidate);
            keep = true;
            LogInstalled(_logger, version, accuracy);
            return new InstallResult(true, version, verdict.CandidateAccuracy, verdict.ActiveAccuracy, verdict.Reason);
        }
        finally
        {
            if (!keep)
            {
                candidate.Dispose();
            }
        }
    }

    private string? Misfit(ModelManifest manifest)
    {
        var fleet = _options.Fleet.Length == 0 ? null : _options.Fleet;
        if (manifest.Targets is { } targets && !targets.Includes(_device.DeviceId, fleet))
        {
            var named = targets.DeviceIds.Count == 0
                ? "no device ids"
                : $"devices {string.Join(", ", targets.DeviceIds)}";
            return $"The package is for {named} and fleet '{targets.Fleet ?? "(none)"}', not this device "
                + $"'{_device.DeviceId}' (fleet '{fleet ?? "(none)"}').";
        }

        if (!string.Equals(manifest.CalibrationSha256, _calibration.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"The package was built for calibration set {manifest.CalibrationSha256[..12]}…, but this agent "
                + $"holds {_calibration.Sha256[..12]}… ({_options.CalibrationSetPath}).";
        }

        return _calibration.FeatureCount != manifest.Input.Size
            ? $"The calibration set has {_calibration.FeatureCount} features per example; "
                + $"the model takes {manifest.Input.Size}."
            : null;
    }

    /// <summary>Refuses a verified package and remembers it, so the same package is refused at once again.</summary>
    private InstallResult Refuse(VerifiedModelPackage verified, string reason, GateVerdict? verdict)
    {
        var version = verified.Manifest.ModelVersion;
        var refused = new RefusedPackage(version, verified.ManifestSha256, reason, _clock.GetUtcNow());
        VersionPolicy.Remember(_state, refused);
        _files.Write(_state);
        LogRejected(_logger, version, reason);
        return new InstallResult(false, version, verdict?.CandidateAccuracy, verdict?.ActiveAccuracy, reason);
    }

    private InstallResult Reject(int version, string reason)
    {
        LogRejected(_logger, version, reason);
        return new InstallResult(false, version, null, null, reason);
    }
}
