using System.CommandLine;
using Edge.Hosting.Configuration;
using Edge.Trainer.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>serve</c>: runs <see cref="TrainerHost"/> until SIGTERM or Ctrl+C. Its options set the same keys as
/// <c>edge-trainer.json</c> and the <c>EDGE_</c> variables (<c>--broker</c> sets <c>Edge:Mqtt:Url</c>, …) and win
/// over them; an invalid configuration lists every problem with its key and exits with 3.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Exit code of an invalid configuration (the unit does not restart on it), as the agent's.</summary>
    public const int InvalidConfiguration = 3;

    public static Command Create() => Create(new CommandLineSettings());

    /// <summary>The configuration keys the options in <paramref name="args"/> (after <c>serve</c>) set.</summary>
    internal static List<KeyValuePair<string, string?>> CommandLineKeys(params string[] args)
    {
        var settings = new CommandLineSettings();
        return settings.Overrides(Create(settings).Parse(args));
    }

    private static Command Create(CommandLineSettings settings)
    {
        var store = settings.Map(
            new Option<string>("--store")
            {
                Description = "SQLite file, or a PostgreSQL connection string (Host=...;Database=...;Username=...) "
                    + "(Edge:Store:Connection; default edge-measurements.db).",
            },
            $"{StoreOptions.SectionName}:{nameof(StoreOptions.Connection)}");
        var clientId = settings.Map(
            new Option<string>("--client-id")
            {
                Description = "MQTT client id; keys the broker session that queues measurements while the trainer "
                    + "is away (Edge:Mqtt:ClientId; default edge-trainer).",
            },
            $"{TrainerMqttOptions.SectionName}:{nameof(TrainerMqttOptions.ClientId)}");
        var metricsPort = settings.Map(
            new Option<int>("--metrics-port")
            {
                Description = "Serve Prometheus metrics (/metrics) and health (/healthz) on this port "
                    + "(Edge:Metrics:Port; default 0 = off).",
            },
            "Edge:Metrics:Port");
        var metricsHost = settings.Map(
            new Option<string>("--metrics-host")
            {
                Description = "Address the metrics endpoint binds: a host name, an IP address, or + for every "
                    + "interface (Edge:Metrics:Host; default localhost).",
            },
            "Edge:Metrics:Host");
        var command = new Command(
            "serve",
            "Ingest measurements from live agents over MQTT into the store; with --watch, re-train watched agents on "
                + "drift or schedule; with --commission, commission every new agent once. A Generic Host service: "
                    + "edge-trainer.json, EDGE_ variables, systemd.")
        {
            store, clientId, metricsPort, metricsHost,
        };
        new BrokerCliOptions().AddTo(command, settings);
        new FieldUpdateOptions().AddTo(command, settings);
        new CommissionCliOptions().AddTo(command, settings);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = TrainerHost.CreateBuilder(
                Path.Combine(AppContext.BaseDirectory, TrainerHost.SettingsFileName),
                EdgeEnvironment.OfProcess(),
                settings.Overrides(parse));
            using var host = builder.Build();
            var problems = TrainerHost.Problems(host);
            if (problems.Count > 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    "Invalid configuration:" + Environment.NewLine + "  "
                    + string.Join(Environment.NewLine + "  ", problems)).ConfigureAwait(false);
                return InvalidConfiguration;
            }

            // RunAsync disposes the host: take the service whose failure decides the exit code first.
            var ingest = host.Services.GetRequiredService<IngestService>();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            if (ingest.Failure is { } failure)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {failure.Message}")
                    .ConfigureAwait(false);
                return 1;
            }

            return 0;
        });
        return command;
    }
}
