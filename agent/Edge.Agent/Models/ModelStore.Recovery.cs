using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// Opening the store after a restart, a crash or a power loss: temporary files are removed, the newest readable copy
/// of the state is taken (bad copies set aside), or the state is rebuilt from the packages without undoing a
/// rollback; every listed package is re-verified, unlisted ones removed, and the repaired state saved. Each repair is
/// reported, logged and noted in the state.
/// </summary>
public sealed partial class ModelStore
{
    private void Load()
    {
        var now = _clock.GetUtcNow();
        RemoveTemporaryFiles();
        var reading = _files.Read(now);
        foreach (var problem in reading.Problems)
        {
            Report(problem);
        }

        var state = reading.State;
        if (state is null && _files.PackageFiles().Length > 0)
        {
            state = Rebuild(reading.Floor);
        }

        state ??= new StoreState();
        VerifyInstalled(state);
        RemoveUnlisted(state);

        // Every installed version was activated once, so none of them may lie above the floor.
        var highest = state.Installed.Count == 0 ? 0 : state.Installed.Max(v => v.Version);
        state.Floor = Math.Max(Math.Max(state.Floor, reading.Floor.Floor), highest);
        _state = state;
        while (_state.ActivationStack.Count > 0)
        {
            if (Load(_state.ActivationStack[^1]) is { } model)
            {
                _active.Swap(model);
                break;
            }

            _state.ActivationStack.RemoveAt(_state.ActivationStack.Count - 1);
        }

        var repaired = Problems;
        if (repaired.Count > 0 || (reading.Stale && reading.State is not null))
        {
            SaveRecovered(repaired, now);
        }
    }

    private void RemoveTemporaryFiles()
    {
        foreach (var leftover in _files.TemporaryFiles())
        {
            _fileSystem.Delete(leftover);
            Report($"{leftover}: a temporary file left by an interrupted write (install, spool or save); removed.");
        }
    }

    /// <summary>
    /// No copy of the state is readable: every verified package is installed again, and the active version is the
    /// one the floor record names or else the oldest (an automatic or ordered rollback only ever went back, so the
    /// oldest never undoes one).
    /// </summary>
    private StoreState Rebuild(FloorRecord floor)
    {
        var state = new StoreState { Floor = floor.Floor };
        foreach (var path in _files.PackageFiles())
        {
            var file = Path.GetFileName(path);
            if (Inspect(file) is { } package
                && !state.Installed.Exists(v => v.Version == package.Manifest.ModelVersion))
            {
                var written = File.GetLastWriteTimeUtc(path);
                var version = package.Manifest.ModelVersion;
                state.Installed.Add(new InstalledVersion(version, file, double.NaN, written, package.ManifestSha256));
                _manifests[version] = package.Manifest;
            }
        }

        if (state.Installed.Count == 0)
        {
            Report($"{_files.StatePath}: no readable copy of the state and no verifiable package; the store is empty.");
            return state;
        }

        var versions = state.Installed.Select(v => v.Version).Order().ToList();
        var named = floor.Active is { } a && versions.Contains(a);
        var active = named ? floor.Active!.Value : versions[0];
        state.ActivationStack.AddRange(versions.Where(v => v <= active));
        var why = named
            ? "the version the floor record names as active"
            : "no record of the active version survived, so the oldest: a rebuild never undoes a rollback; "
                + "activate another with 'edge-agent models rollback --to <version>'";
        Report($"{_files.StatePath}: no readable copy of the state; rebuilt from the {versions.Count} verified "
            + $"package(s) in {_files.VersionsDirectory} ({string.Join(", ", versions)}); version {active} is active "
            + $"({why}).");
        return state;
    }

    private void VerifyInstalled(StoreState state)
    {
        foreach (var installed in state.Installed.ToArray())
        {
            var manifest = _manifests.TryGetValue(installed.Version, out var known)
                ? known
                : Inspect(installed.File)?.Manifest;
            if (manifest is null || manifest.ModelVersion != installed.Version)
            {
                if (manifest is not null)
                {
                    Report($"{installed.File}: holds version {manifest.ModelVersion}, not {installed.Version}; "
                        + "skipped.");
                }

                state.Installed.Remove(installed);
                state.ActivationStack.RemoveAll(v => v == installed.Version);
                continue;
            }

            _manifests[installed.Version] = manifest;
        }
    }

    /// <summary>Packages the state does not list: left by an install interrupted before it was saved, or by a prune
    /// interrupted after; removed (a package that does not verify is set aside instead).</summary>
    private void RemoveUnlisted(StoreState state)
    {
        var removed = false;
        foreach (var path in _files.PackageFiles())
        {
            var file = Path.GetFileName(path);
            if (state.Installed.Exists(v => v.File == file))
            {
                continue;
            }

            if (Inspect(file) is { } package)
            {
                _fileSystem.Delete(path);
                removed = true;
                Report($"{path}: version {package.Manifest.ModelVersion} is not in the store's state (left by an "
                    + "install or prune that was interrupted); removed.");
            }
        }

        if (removed)
        {
            _fileSystem.FlushDirectory(_files.VersionsDirectory);
        }
    }

    /// <summary>Reads and verifies a package at open; one that fails is reported and set aside.</summary>
    private VerifiedModelPackage? Inspect(string file) => ReadPackage(file, setAside: true);

    private void SaveRecovered(IReadOnlyList<string> repaired, DateTimeOffset now)
    {
        var next = _state.Copy();
        next.NoteRecoveries(repaired, now);
        try
        {
            if (_files.Write(next) is { } partly)
            {
                Report(partly);
            }

            _state = next;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = StoreDiskSpace.IsFull(e) ? "the disk is full" : e.Message;
            Report($"The repaired state could not be saved ({why}); the store serves from memory and repairs again "
                + "on the next open.");
        }
    }
}
