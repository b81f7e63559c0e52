using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Domain.Messaging;
using Edge.Tests.Shared.Commissioning;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Benchmarks;

/// <summary>
/// <c>field-update [--system electronic|mechanical] [--warmups K,K,…] [--repeats N] [--epochs N] [--probe-seconds S]
/// [--update-epochs N] [--update-twin-samples N] [--recovery-alert-sessions N] [--minutes M] [--out file.json]</c>:
/// the operator's path of
/// docs/field-updates.md timed end to end, with real processes — mosquitto with the shipped configuration, an
/// <c>edge-agent run</c> with a real model store and calibration probes (<see cref="CommissionField"/>, as
/// FieldOperatorWalkthroughTests runs it) and <c>edge-trainer serve --watch</c>. Each run warms the part with the
/// documented <c>mosquitto_pub</c> and times, from that moment: the agent's status showing the loss, the trainer's
/// decision, the session's first and last PAT drive, the signed package on disk, the offer, the agent's verdict, v2
/// active and v2's live accuracy back within the drop threshold of v1's. It records the live accuracy before, when
/// the trainer acted, at v1's lowest after the warm-up, and after (v2's full probe window); then every further
/// version the trainer offers while the part stays short of its reference, until it is back or the trainer warns
/// that <c>--recovery-alert-sessions</c> sessions (serve's flag) have not brought it back. Every warm-up runs
/// <c>--repeats</c> times, each on a fresh field. Prints a table and writes JSON.
/// </summary>
internal static class FieldUpdateBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var system = AgentRssBench.Option(args, "--system", FaultAgent.System);
        var warmups = AgentRssBench.Option(args, "--warmups", "300").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        var settings = new FieldUpdateRunSettings(
            system,
            Int(args, "--epochs", 100),
            Int(args, "--probe-seconds", 2),
            AgentRssBench.Option(args, "--update-epochs", ""),
            AgentRssBench.Option(args, "--update-twin-samples", ""),
            TimeSpan.FromMinutes(Int(args, "--minutes", 12)),
            AgentRssBench.Option(args, "--recovery-alert-sessions", ""));
        var repeats = Int(args, "--repeats", 3);
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/field-update.json");

        Console.WriteLine($"{system} vowels, warm-ups {string.Join(", ", warmups)} K, {repeats} run(s) each");
        Console.WriteLine("| warm-up | run | live before → lowest → after | loss seen | detected | session "
            + "| PAT done | signed | offered | validated | active | recovered |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        var rows = new JsonArray();
        foreach (var warmup in warmups)
        {
            for (var run = 1; run <= repeats; run++)
            {
                var timeline = await RunOnceAsync(settings, warmup);
                Console.WriteLine(Row(warmup, run, timeline));
                var row = timeline.Json();
                row["warmup_kelvin"] = warmup;
                row["run"] = run;
                rows.Add(row);
            }
        }

        var result = new JsonObject
        {
            ["bench"] = "field-update",
            ["system"] = system,
            ["task"] = "vowels",
            ["product_line_epochs"] = settings.Epochs,
            ["probe_seconds"] = settings.ProbeSeconds,
            ["probe_window"] = ProbeWindow,
            ["check_every_s"] = CheckSeconds,
            ["drop_threshold"] = DropThreshold,
            // null: serve's own defaults, what ships.
            ["update_epochs"] = Number(settings.UpdateEpochs),
            ["update_twin_samples"] = Number(settings.UpdateTwinSamples),
            ["recovery_alert_sessions"] = Number(settings.RecoveryAlertSessions),
            ["repeats"] = repeats,
            ["processor_count"] = Environment.ProcessorCount,
            ["rows"] = rows,
        };
        BenchJson.Write(result, output);
        return 0;
    }

    private const int ProbeWindow = 4;
    private const int CheckSeconds = 2;
    private static readonly double DropThreshold = new FieldUpdatePolicy().AccuracyDropThreshold;

    private static async Task<FieldUpdateTimeline> RunOnceAsync(FieldUpdateRunSettings settings, double warmup)
    {
        var folder = Directory.CreateTempSubdirectory("edge-field-update-").FullName;
        var device = CommissionField.TrainedPart;
        var executables = FaultExecutables.BesideThisAssembly();
        var probes = new Dictionary<string, string>
        {
            ["EDGE_MODELS__CALIBRATIONPROBESECONDS"] = settings.ProbeSeconds.ToString(CultureInfo.InvariantCulture),
        };
        var timeline = new FieldUpdateTimeline(device, DropThreshold, ProbeWindow);
        using var deadline = new CancellationTokenSource(settings.Limit);
        var productLine = ProductLine.Vowels(settings.Epochs, settings.System);
        await using (var field = await CommissionField.StartAsync(
            Path.Combine(folder, "field"), executables, [], productLine, probes, ["operator"]))
        {
            await using var watch = new TopicWatch(
                "bench-field-update", field.Trainer("bench-field-update"), timeline.Filters, timeline.Observe,
                NullLogger.Instance);
            watch.Start();
            using var trainer = FieldProcess.Start(executables.Trainer, Serve(field, settings));
            trainer.LineWritten += timeline.OnTrainerLine;
            await UntilAsync(() => timeline.Settled, trainer, deadline.Token);

            // The limit starts again at the warm-up: training the product line (minutes on a mechanical part) must
            // not eat the time the field update has.
            deadline.CancelAfter(settings.Limit);
            timeline.Start();
            var warm = string.Create(
                CultureInfo.InvariantCulture, $$"""{"schemaVersion":1,"ambientKelvin":{{warmup}}}""");
            await OperatorControl.MosquittoPubAsync(
                field.Broker.Certificates, field.Broker.ServicePort, EdgeTopics.For(device, TopicKind.Environment),
                warm, deadline.Token);
            var package = Path.Combine(field.PackageDirectory, $"{device}-v2.edgepkg");
            await UntilAsync(
                () =>
                {
                    if (File.Exists(package))
                    {
                        timeline.PackageWritten();
                    }

                    return timeline.Ended;
                },
                trainer,
                deadline.Token);
        }

        Directory.Delete(folder, recursive: true);
        return timeline;
    }

    // The documented serve --watch of docs/field-updates.md, checking as often as the walkthrough does.
    private static string[] Serve(CommissionField field, FieldUpdateRunSettings settings) =>
    [
        "serve", "--store", field.StorePath, .. field.Broker.TrainerArguments(),
        "--watch", $"{CommissionField.TrainedPart}={field.ProductLinePackage}",
        "--signing-key", field.PrivateKey, "--calibration", field.Calibration, "--task", "vowels",
        "--system", settings.System, "--update-packages", field.PackageDirectory,
        "--check-every", $"00:00:{CheckSeconds:D2}", "--cooldown", "00:00:00",
        .. settings.UpdateTwinSamples.Length > 0 ? new[] { "--update-twin-samples", settings.UpdateTwinSamples } : [],
        .. settings.UpdateEpochs.Length > 0 ? new[] { "--update-epochs", settings.UpdateEpochs } : [],
        .. settings.RecoveryAlertSessions.Length > 0
            ? new[] { "--recovery-alert-sessions", settings.RecoveryAlertSessions }
            : [],
    ];

    private static int? Number(string given) =>
        given.Length > 0 ? int.Parse(given, CultureInfo.InvariantCulture) : null;

    // Polls every 50 ms; a run that outlives its time limit ends with what it has (its later phases stay empty).
    private static async Task UntilAsync(Func<bool> done, FieldProcess trainer, CancellationToken deadline)
    {
        while (!done())
        {
            if (trainer.HasExited)
            {
                throw new InvalidOperationException($"edge-trainer serve exited ({trainer.ExitCode}):\n"
                    + trainer.Tail());
            }

            try
            {
                await Task.Delay(50, deadline);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"(time limit reached; the trainer's last lines:)\n{trainer.Tail(5)}");
                return;
            }
        }
    }

    private static string Row(double warmup, int run, FieldUpdateTimeline timeline)
    {
        static string Pct(double? value) => value is { } v ? (v * 100).ToString("F1", CultureInfo.InvariantCulture)
            : "–";
        var seconds = FieldUpdateTimeline.Phases
            .Select(p => timeline.Seconds(p) is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "–");
        var later = string.Concat(timeline.Versions.Skip(1).Select(v => $" → v{v.Version} {Pct(v.Accuracy)}"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| +{warmup} K | {run} | {Pct(timeline.Before)} → {Pct(timeline.Floor)} → {Pct(timeline.After)}"
            + $"{later} ({timeline.Outcome ?? "time limit"}) | {string.Join(" | ", seconds)} |");
    }

    private static int Int(string[] args, string name, int fallback) =>
        int.Parse(AgentRssBench.Option(args, name, $"{fallback}"), CultureInfo.InvariantCulture);
}

/// <summary>How each run of <c>field-update</c> is set up.</summary>
/// <param name="System">The physical system of the part.</param>
/// <param name="Epochs">Epochs of the product-line model.</param>
/// <param name="ProbeSeconds">The agent's calibration probe interval.</param>
/// <param name="UpdateEpochs">PAT epochs of the field session (empty: serve's default).</param>
/// <param name="UpdateTwinSamples">Drives of the session's fresh twin (empty: serve's default).</param>
/// <param name="Limit">Longest wait for the trainer's reference to settle, and again from the warm-up to the run's
/// end.</param>
/// <param name="RecoveryAlertSessions">Sessions short of the reference before the trainer warns (empty: serve's
/// default), which ends the run.</param>
internal sealed record FieldUpdateRunSettings(
    string System,
    int Epochs,
    int ProbeSeconds,
    string UpdateEpochs,
    string UpdateTwinSamples,
    TimeSpan Limit,
    string RecoveryAlertSessions);
