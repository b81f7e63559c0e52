using Edge.Hosting.Observability;
using Edge.Trainer.Live;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Trainer.Service;

/// <summary>
/// The work of <c>serve</c>: ingests every agent's measurements from the broker into the store, watches model offers
/// and verdicts for the model-version gauges and the broker's error log for a disk it cannot write, serves
/// <c>/metrics</c> and <c>/healthz</c> on <c>Edge:Metrics</c>, logs progress, with <c>Edge:FieldUpdates:Watch</c> runs
/// field updates and with <c>Edge:Commission:Package</c> commissions new agents — until the host stops.
/// </summary>
public sealed partial class IngestService(
    IOptions<TrainerMqttOptions> mqtt,
    IOptions<StoreOptions> store,
    IOptions<MetricsOptions> endpoint,
    IOptions<FieldUpdateSettings> updates,
    IOptions<CommissionSettings> commission,
    TrainerMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<IngestService> logger) : BackgroundService
{
    /// <summary>Longest the ingest's connect loop may go without a turn before the watchdog calls it stuck.</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(45);

    private MeasurementIngest? _ingest;

    /// <summary>Why the service stopped the host (the store could not be opened, …); null while it runs.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// Null while the ingest's connect loop turns (its longest step, a connect or a store probe, is bounded well
    /// below <see cref="StallLimit"/>), else why it is stuck: the systemd watchdog's liveness check.
    /// </summary>
    public string? Stuck()
        => _ingest is { } ingest && ingest.SinceLoopTurned > StallLimit
            ? $"the ingest loop has not turned for {ingest.SinceLoopTurned.TotalSeconds:F0} s"
            : null;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ServeAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Said once, plainly, by serve's exit; the host stops instead of logging a stack trace.
            Failure = e;
            lifetime.StopApplication();
        }
    }

    private async Task ServeAsync(CancellationToken stoppingToken)
    {
        var broker = mqtt.Value.TryResolve([])
            ?? throw new InvalidOperationException("The broker settings were validated at start.");
        var connection = store.Value.Connection;
        await using var measurements = await MeasurementStore.OpenAsync(connection, stoppingToken)
            .ConfigureAwait(false);
        await using var ingest = new MeasurementIngest(broker, measurements, metrics, logger);
        await using var models = new ModelVersionWatch(broker, metrics, logger);
        await using var brokerLog = new BrokerLogWatch(broker, metrics, time, logger);
        _ingest = ingest;
        ingest.Start();
        models.Start();
        brokerLog.Start();
        await using var listener = Listen(ingest, measurements);
        await using var fieldUpdates = await FieldUpdates.CreateAsync(
            updates.Value, connection, broker, metrics, logger, stoppingToken).ConfigureAwait(false);
        var watch = fieldUpdates?.Service.RunAsync(stoppingToken);
        await using var commissioner = await Commissioner.CreateAsync(
            commission.Value, updates.Value, connection, broker, metrics, logger, stoppingToken).ConfigureAwait(false);
        var commissioning = commissioner?.Service.RunAsync(stoppingToken);
        LogServing(logger, broker.Host, broker.Port, measurements.Dialect.ToString(), measurements.SchemaVersion);
        using var progress = new PeriodicTimer(TimeSpan.FromSeconds(5), time);
        try
        {
            while (await progress.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                LogProgress(logger, ingest.Ingested, ingest.Duplicates, ingest.Rejected);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        foreach (var running in new[] { watch, commissioning })
        {
            if (running is not null)
            {
                await running.ConfigureAwait(false);
            }
        }
    }

    private HealthMetricsListener? Listen(MeasurementIngest ingest, MeasurementStore measurements)
    {
        var settings = endpoint.Value;
        if (settings.Port == 0)
        {
            return null;
        }

        var listener = TrainerEndpoint.Start(
            metrics, ct => TrainerHealth.CheckAsync(ingest, measurements, TimeSpan.FromSeconds(2), ct), logger,
            settings.Port, settings.Host);
        LogListening(logger, settings.Host, listener.Endpoints[0].Port);
        return listener;
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Serving: broker {Host}:{Port}, store {Dialect} schema v{Schema}")]
    private static partial void LogServing(ILogger logger, string host, int port, string dialect, int schema);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Progress: ingested {Ingested}, duplicates {Duplicates}, rejected {Rejected}")]
    private static partial void LogProgress(ILogger logger, long ingested, long duplicates, long rejected);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Metrics on http://{Host}:{Port}/metrics, health on /healthz")]
    private static partial void LogListening(ILogger logger, string host, int port);
}
