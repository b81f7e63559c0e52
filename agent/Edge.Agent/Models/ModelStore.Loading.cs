using Edge.Agent.Inference;
using Edge.Domain.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Models;

/// <summary>Loading an installed version to serve it, and reporting what goes wrong on the way.</summary>
public sealed partial class ModelStore
{
    /// <summary>Reads and verifies a package; one that fails is reported and, when asked, set aside.</summary>
    private VerifiedModelPackage? ReadPackage(string file, bool setAside = false)
    {
        var path = _files.PackagePath(file);
        try
        {
            // Packages installed before targets existed stay loadable; new installs must name this agent.
            return ModelPackageReader.Read(path, _trust, requireTargets: false);
        }
        catch (Exception e) when (e is ModelPackageException or IOException or UnauthorizedAccessException)
        {
            var aside = setAside && File.Exists(path) ? $" The file {_files.SetAside(path, _clock.GetUtcNow())}." : "";
            Report($"{path}: {e.Message} Skipped.{aside}");
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

    /// <summary>Records, logs and announces a problem.</summary>
    private void Report(string problem)
    {
        lock (_problems)
        {
            // Bounded: a disk that stays full refuses every offer, each one a problem.
            if (_problems.Count == MaxProblems)
            {
                _problems.RemoveAt(0);
            }

            _problems.Add(problem);
        }

        LogProblem(_logger, problem);
        ProblemReported?.Invoke(problem);
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
