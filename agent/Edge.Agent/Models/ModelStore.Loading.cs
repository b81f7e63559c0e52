using System.Text.Json;
using Edge.Agent.Inference;
using Edge.Domain.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Models;

/// <summary>Reloading the store after a restart: every entry is re-verified; a bad one is reported and skipped.</summary>
public sealed partial class ModelStore
{
    private void Load()
    {
        var statePath = Path.Combine(_options.StoreDirectory, StateFile);
        var state = new StoreState();
        if (File.Exists(statePath))
        {
            try
            {
                state = JsonSerializer.Deserialize(File.ReadAllBytes(statePath), StoreJsonContext.Default.StoreState) ?? new StoreState();
            }
            catch (JsonException e)
            {
                Report($"{statePath}: unreadable ({e.Message}); rebuilt from the packages present.");
                state = Rebuild();
            }
        }

        foreach (var installed in state.Installed.ToArray())
        {
            var manifest = Verify(installed.File);
            if (manifest is null || manifest.ModelVersion != installed.Version)
            {
                if (manifest is not null)
                {
                    Report($"{installed.File}: holds version {manifest.ModelVersion}, not {installed.Version}; skipped.");
                }

                state.Installed.Remove(installed);
                state.ActivationStack.RemoveAll(v => v == installed.Version);
                continue;
            }

            _manifests[installed.Version] = manifest;
        }

        _state = state;
        while (_state.ActivationStack.Count > 0)
        {
            var model = Load(_state.ActivationStack[^1]);
            if (model is not null)
            {
                _active = model;
                return;
            }

            _state.ActivationStack.RemoveAt(_state.ActivationStack.Count - 1);
        }
    }

    private StoreState Rebuild()
    {
        var state = new StoreState();
        var files = Directory.GetFiles(Path.Combine(_options.StoreDirectory, VersionsFolder), "*" + ModelPackageLayout.Extension);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var path in files)
        {
            var file = Path.GetFileName(path);
            if (Verify(file) is { } manifest)
            {
                state.Installed.Add(new InstalledVersion(manifest.ModelVersion, file, double.NaN, File.GetLastWriteTimeUtc(path), ""));
                state.ActivationStack.Add(manifest.ModelVersion);
            }
        }

        return state;
    }

    private ModelManifest? Verify(string file)
    {
        var path = Path.Combine(_options.StoreDirectory, VersionsFolder, file);
        try
        {
            return ModelPackageReader.Read(path, _trust, requireTargets: false).Manifest;
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

        var path = Path.Combine(_options.StoreDirectory, VersionsFolder, installed.File);
        try
        {
            return new HybridModel(ModelPackageReader.Read(path, _trust, requireTargets: false), _device) { Tap = _tap };
        }
        catch (Exception e) when (e is ModelPackageException or IOException or UnauthorizedAccessException)
        {
            Report($"{path}: {e.Message} Skipped.");
            return null;
        }
    }

    private void Report(string problem)
    {
        _problems.Add(problem);
        LogProblem(_logger, problem);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model version {Version} installed and activated (calibration accuracy {Accuracy:P1})")]
    private static partial void LogInstalled(ILogger logger, int version, double accuracy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model package (version {Version}) rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, int version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolled back from model version {From} to {To}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, int from, int to, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model version {Version} is unhealthy ({Verdict}) but there is no earlier version to roll back to")]
    private static partial void LogUnhealthyNoTarget(ILogger logger, int version, string verdict);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned model version {Version} (keeping the newest installs)")]
    private static partial void LogPruned(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model store: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);
}
