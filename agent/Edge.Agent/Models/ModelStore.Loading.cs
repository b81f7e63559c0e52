using Edge.Agent.Inference;
using Edge.Domain.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Models;

/// <summary>Reloading the store after a restart: every entry is re-verified; a bad one is reported, skipped.</summary>
public sealed partial class ModelStore
{
    private void Load()
    {
        var state = _files.Read(out var floor, out var problem);
        if (state is null && (problem is not null || _files.PackageFiles().Length > 0))
        {
            var why = problem ?? $"{_files.StatePath}: missing";
            Report($"{why}; rebuilt from the packages present (floor {floor} kept).");
            state = Rebuild();
        }

        state ??= new StoreState();
        foreach (var installed in state.Installed.ToArray())
        {
            var manifest = Verify(installed.File);
            if (manifest is null || manifest.ModelVersion != installed.Version)
            {
                if (manifest is not null)
                {
                    Report($"{installed.File}: holds version {manifest.ModelVersion}, "
                        + $"not {installed.Version}; skipped.");
                }

                state.Installed.Remove(installed);
                state.ActivationStack.RemoveAll(v => v == installed.Version);
                continue;
            }

            _manifests[installed.Version] = manifest;
        }

        // Every installed version was activated once, so none of them may lie above the floor.
        state.Floor = Math.Max(floor, state.Installed.Count == 0 ? 0 : state.Installed.Max(v => v.Version));
        _state = state;
        while (_state.ActivationStack.Count > 0)
        {
            if (Load(_state.ActivationStack[^1]) is { } model)
            {
                _active.Swap(model);
                return;
            }

            _state.ActivationStack.RemoveAt(_state.ActivationStack.Count - 1);
        }
    }

    private StoreState Rebuild()
    {
        var state = new StoreState();
        foreach (var path in _files.PackageFiles())
        {
            var file = Path.GetFileName(path);
            if (Verify(file) is { } manifest)
            {
                var written = File.GetLastWriteTimeUtc(path);
                state.Installed.Add(new InstalledVersion(manifest.ModelVersion, file, double.NaN, written, ""));
                state.ActivationStack.Add(manifest.ModelVersion);
            }
        }

        return state;
    }

    private ModelManifest? Verify(string file) => ReadPackage(file)?.Manifest;

    private VerifiedModelPackage? ReadPackage(string file)
    {
        var path = _files.PackagePath(file);
        try
        {
            // Packages installed before targets existed stay loadable; new installs must name this agent.
            return ModelPackageReader.Read(path, _trust, requireTargets: false);
        }
        catch (Exception e) when (e is ModelPackageException or IOException or UnauthorizedAccessException)
        {
            Report($"{path}: {e.Message} Skipped.");
            return null;
        }
    }

    private HybridModel? Load(int version)
    {
        var installed = _state.Installed.Find(v => v.Version == version);
        if (installed is null)
        {
            Report($"Version {version} is in the activation history but not installed; skipped.");
            return null;
        }

        if (ReadPackage(installed.File) is not { } package)
        {
            return null;
        }

        try
        {
            return new HybridModel(package, _device) { Tap = _tap };
        }
        catch (ModelPackageException e)
        {
            Report($"{_files.PackagePath(installed.File)}: {e.Message} Skipped.");
            return null;
        }
    }

    private void Report(string problem)
    {
        _problems.Add(problem);
        LogProblem(_logger, problem);
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Model version {Version} installed and activated (calibration accuracy {Accuracy:P1})")]
    private static partial void LogInstalled(ILogger logger, int version, double accuracy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model package (version {Version}) rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, int version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolled back from model version {From} to {To}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, int from, int to, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollback instruction {Nonce} refused: {Reason}")]
    private static partial void LogRollbackRefused(ILogger logger, Guid nonce, string reason);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Model version {Version} is unhealthy ({Verdict}) but there is no earlier version to roll back to")]
    private static partial void LogUnhealthyNoTarget(ILogger logger, int version, string verdict);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Pruned model version {Version} (keeping the active and the newest versions)")]
    private static partial void LogPruned(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model store: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);
}
