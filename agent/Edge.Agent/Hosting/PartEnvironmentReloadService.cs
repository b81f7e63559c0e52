using Edge.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Edge.Agent.Hosting;

/// <summary>
/// Applies <c>Edge:Device:Environment</c> at start and again whenever the configuration reloads with a changed
/// section (the settings file is watched). The section is bound and validated here rather than through an options
/// monitor: a monitor validates inside the reload callback, where a bad value would throw on the file watcher's
/// thread; here a bad value is logged naming its key and the part keeps its environment.
/// </summary>
public sealed partial class PartEnvironmentReloadService(
    IConfiguration configuration,
    PartEnvironmentControl control,
    ILogger<PartEnvironmentReloadService> logger) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private IDisposable? _subscription;
    private Domain.Simulation.PartEnvironment? _configured;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (control.IsAvailable)
        {
            Reload();
            _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _subscription, null)?.Dispose();

    private void Reload()
    {
        lock (_gate)
        {
            var options = new PartEnvironmentOptions();
            try
            {
                configuration.GetSection(PartEnvironmentOptions.SectionName)
                    .Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException e)
            {
                LogBadSection(logger, PartEnvironmentOptions.SectionName, e.Message);
                return;
            }

            if (options.Problem() is { } problem)
            {
                LogBadSection(logger, PartEnvironmentOptions.SectionName, problem);
                return;
            }

            // Only a changed section applies: an unrelated reload must not undo a change made over MQTT since.
            var environment = options.ToEnvironment();
            if (Equals(environment, _configured))
            {
                return;
            }

            var first = _configured is null;
            _configured = environment;
            if (!first || !Equals(environment, Domain.Simulation.PartEnvironment.Calibrated))
            {
                control.TryApply(environment, "configuration");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Reloaded configuration section {Section} refused, the part keeps its environment: {Problem}")]
    private static partial void LogBadSection(ILogger logger, string section, string problem);
}
