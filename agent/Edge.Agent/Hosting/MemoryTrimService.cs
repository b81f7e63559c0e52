using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Hosting;

/// <summary>
/// Registered last, so it starts once the device answered and the model is loaded: trims the start-up working set
/// (<see cref="WorkingSetTrimmer"/>) and logs the resident set before and after.
/// </summary>
public sealed partial class MemoryTrimService(ILogger<MemoryTrimService> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var (before, after) = WorkingSetTrimmer.Trim();
        LogTrimmed(logger, before / 1048576.0, after / 1048576.0);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Start-up memory trimmed: resident set {BeforeMb:F1} MB -> {AfterMb:F1} MB")]
    private static partial void LogTrimmed(ILogger logger, double beforeMb, double afterMb);
}
