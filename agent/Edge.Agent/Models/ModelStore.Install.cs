using System.Globalization;
using Edge.Agent.Inference;
using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// Installing a package: spool, verify, screen against the floor and refusals, validate, then commit in an order that
/// keeps a valid model on disk at every instant (package durable in <c>versions</c>, then the new state saved, then
/// old versions pruned). A full disk at any step refuses the offer naming the disk space; nothing changes.
/// </summary>
public sealed partial class ModelStore
{
    /// <summary>
    /// Spools <paramref name="package"/> to the store (one copy, capped), then verifies, validates and, if good
    /// enough, installs and activates it.
    /// </summary>
    public async Task<InstallResult> InstallAsync(Stream package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package.CanSeek && NoRoomFor(package.Length - package.Position) is { } shortfall)
        {
            return shortfall;
        }

        SpooledPackage spooled;
        try
        {
            spooled = await _spool.SpoolAsync(package, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelPackageException e)
        {
            return Reject(0, e.Message);
        }
        catch (IOException e) when (StoreDiskSpace.IsFull(e))
        {
            return DiskFull(0, "spooling the package", e);
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
        if (NoRoomFor(package.Length) is { } shortfall)
        {
            return shortfall;
        }

        SpooledPackage spooled;
        try
        {
            spooled = _spool.Spool(package.Span);
        }
        catch (ModelPackageException e)
        {
            return Reject(0, e.Message);
        }
        catch (IOException e) when (StoreDiskSpace.IsFull(e))
        {
            return DiskFull(0, "spooling the package", e);
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
            var accuracy = verdict.CandidateAccuracy ?? activeRecorded ?? double.NaN;
            var victims = Commit(verified, spooled, accuracy, out var failure);
            if (failure is not null)
            {
                return failure;
            }

            // Pruned only now that the state without them is durable; a file left by a failure is removed on open.
            foreach (var victim in victims)
            {
                DurableWrite.TryDelete(_fileSystem, _files.PackagePath(victim.File));
                LogPruned(_logger, victim.Version);
            }

            if (victims.Count > 0)
            {
                DurableWrite.TryFlushDirectory(_fileSystem, _files.VersionsDirectory);
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

    /// <summary>
    /// Moves the package into <c>versions</c> (durable), then saves the state that lists and activates it and drops
    /// the versions to prune: the commit point. Returns the pruned versions, whose files the caller deletes only now;
    /// <paramref name="failure"/> is set (and nothing changed) when the disk refused a step.
    /// </summary>
    private List<InstalledVersion> Commit(
        VerifiedModelPackage verified, SpooledPackage spooled, double accuracy, out InstallResult? failure)
    {
        var version = verified.Manifest.ModelVersion;
        var file = $"{version.ToString("D6", CultureInfo.InvariantCulture)}{ModelPackageLayout.Extension}";
        var next = _state.Copy();
        next.Installed.Add(new InstalledVersion(version, file, accuracy, _clock.GetUtcNow(), verified.ManifestSha256));
        next.ActivationStack.Add(version);
        VersionPolicy.Activated(next, version);
        var victims = VersionPolicy.PruneVictims(next, _options.KeepVersions);
        foreach (var victim in victims)
        {
            next.Installed.Remove(victim);
            next.ActivationStack.RemoveAll(v => v == victim.Version);
        }

        string? partly;
        try
        {
            spooled.MoveTo(_files.PackagePath(file));
            partly = _files.Write(next);
        }
        catch (IOException e)
        {
            // A full disk fails before state.json is replaced, so the package is not listed: remove it to give the
            // space back. After any other error it may be listed; the next open removes it if it is not.
            if (StoreDiskSpace.IsFull(e))
            {
                DurableWrite.TryDelete(_fileSystem, spooled.Path);
                failure = DiskFull(version, $"installing version {version}", e);
            }
            else
            {
                failure = Reject(version, $"The model store could not save version {version}: {e.Message}");
                Report(failure.Reason);
            }

            return [];
        }

        _state = next;
        _manifests[version] = verified.Manifest;
        foreach (var victim in victims)
        {
            _manifests.Remove(victim.Version);
        }

        if (partly is not null)
        {
            Report(partly);
        }

        failure = null;
        return victims;
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
                + $"holds {_calibration.Sha256[..12]}… ({_options.CalibrationSetPath}). A store is bound to one "
                + "calibration set (one task): for another task (e.g. digits on a vowel agent) give the agent a new "
                + "Edge:Models:StoreDirectory with that task's Edge:Models:CalibrationSetPath.";
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
        var next = _state.Copy();
        VersionPolicy.Remember(next, refused);
        try
        {
            if (_files.Write(next) is { } partly)
            {
                Report(partly);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Remembered in memory only: a re-offer after a restart is validated (and refused) again.
            Report($"Version {version} was refused, but the refusal could not be saved ({e.Message}).");
        }

        _state = next;
        LogRejected(_logger, version, reason);
        return new InstallResult(false, version, verdict?.CandidateAccuracy, verdict?.ActiveAccuracy, reason);
    }

    /// <summary>Refuses an offer the disk has no room for, before anything is written.</summary>
    private InstallResult? NoRoomFor(long packageBytes)
    {
        // A package over the cap is refused by the spool for that reason, whatever the free space.
        if (packageBytes > ModelPackageLayout.MaxPackageBytes
            || StoreDiskSpace.Shortfall(_fileSystem, _options.StoreDirectory, packageBytes) is not { } reason)
        {
            return null;
        }

        Report(reason);
        return Reject(0, reason);
    }

    private InstallResult DiskFull(int version, string during, IOException error)
    {
        var reason = StoreDiskSpace.Full(_options.StoreDirectory, during, error);
        Report(reason);
        return Reject(version, reason);
    }

    private InstallResult Reject(int version, string reason)
    {
        LogRejected(_logger, version, reason);
        return new InstallResult(false, version, null, null, reason);
    }
}
