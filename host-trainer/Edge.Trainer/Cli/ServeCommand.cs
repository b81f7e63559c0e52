using System.CommandLine;
using Edge.Trainer.Live;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>serve</c>: ingests every agent's measurements from the broker into the store until Ctrl+C, watches model
/// offers and verdicts for the model-version gauges, serves Prometheus metrics and a health check, and reports
/// progress every few seconds; with <c>--watch</c> it also runs periodic field updates, with <c>--commission</c> it
/// commissions every new agent from the product-line package.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var broker = new BrokerCliOptions();
        var store = new Option<string>("--store") { Description = "SQLite file, or a PostgreSQL connection string (Host=...;Database=...;Username=...).", DefaultValueFactory = _ => "edge-measurements.db" };
        var clientId = new Option<string>("--client-id") { Description = "MQTT client id; keys the broker session that queues measurements while the trainer is away.", DefaultValueFactory = _ => "edge-trainer" };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Serve Prometheus metrics (/metrics) and health (/healthz) on this port (0 = off).", DefaultValueFactory = _ => 0 };
        var updates = new FieldUpdateOptions();
        var commission = new CommissionCliOptions(updates);
        var command = new Command("serve", "Ingest measurements from live agents over MQTT into the store; with --watch, re-train watched agents on drift or schedule.") { store, clientId, metricsPort };
        broker.AddTo(command);
        updates.AddTo(command);
        commission.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = broker.Resolve(parse, parse.GetValue(clientId)!);
            var port = parse.GetValue(metricsPort);
            if (port is < 0 or > 65535)
            {
                throw new ArgumentException($"--metrics-port {port} is not 0 or a TCP port.");
            }

            using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true));
            var logger = logging.CreateLogger("edge-trainer.serve");
            var metrics = new TrainerMetrics();
            await using var measurements = await MeasurementStore.OpenAsync(parse.GetValue(store)!, cancellationToken).ConfigureAwait(false);
            await using var ingest = new MeasurementIngest(options, measurements, metrics, logger);
            await using var models = new ModelVersionWatch(options, metrics, logger);
            ingest.Start();
            models.Start();
            await using var endpoint = port > 0
                ? TrainerEndpoint.Start(metrics, ct => TrainerHealth.CheckAsync(ingest, measurements, TimeSpan.FromSeconds(2), ct), logger, port)
                : null;
            await using var fieldUpdates = await updates.CreateAsync(parse, parse.GetValue(store)!, options, metrics, logger, cancellationToken).ConfigureAwait(false);
            var watch = fieldUpdates?.Service.RunAsync(cancellationToken);
            await using var commissioner = await commission.CreateAsync(
                parse, parse.GetValue(store)!, options, metrics, logger, cancellationToken).ConfigureAwait(false);
            var commissioning = commissioner?.Service.RunAsync(cancellationToken);
            Console.Error.WriteLine($"serving: broker {options.Address}, store {measurements.Dialect} schema v{measurements.SchemaVersion}; Ctrl+C stops");
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                    Console.Error.WriteLine($"ingested {ingest.Ingested}, duplicates {ingest.Duplicates}, rejected {ingest.Rejected}");
                }
            }
            catch (OperationCanceledException)
            {
                if (watch is not null)
                {
                    await watch.ConfigureAwait(false);
                }

                if (commissioning is not null)
                {
                    await commissioning.ConfigureAwait(false);
                }

                return 0;
            }
        });
        return command;
    }
}
