using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Agent.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Faults;

namespace Edge.Benchmarks;

/// <summary>
/// <c>fairness [--agent PATH] [--requests N] [--flood-seconds S] [--out file.json]</c>: inference latency of the real
/// <c>edge-agent run</c> process (simulated electronic device, a trained vowel model installed) behind a real
/// mosquitto, first idle, then while another client floods PAT requests at the agent's per-request limit and
/// unsigned model offers of the maximum size. Requests go one at a time over MQTT 5 request/response; the latency
/// is publish to reply at the requester. The agent's resident memory is sampled before, during and after the flood.
/// </summary>
internal static class FairnessBench
{
    private const string DeviceId = "rss-0001";

    public static async Task<int> RunAsync(string[] args)
    {
        var agent = AgentRssBench.Option(args, "--agent", AgentRssBench.DefaultAgent());
        var requests = int.Parse(AgentRssBench.Option(args, "--requests", "300"), CultureInfo.InvariantCulture);
        var floodSeconds = double.Parse(
            AgentRssBench.Option(args, "--flood-seconds", "30"), CultureInfo.InvariantCulture);
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/fairness.json");
        var mosquitto = IngestBench.Find("mosquitto");
        if (mosquitto is null || !File.Exists(agent))
        {
            await Console.Error.WriteLineAsync(
                $"error: the fairness bench needs mosquitto (apt-get install mosquitto) and the agent at '{agent}' "
                + "(dotnet build agent/Edge.Agent -c Release, or --agent).");
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("edge-fairness-").FullName;
        var port = IngestBench.FreePort();
        // Without TCP_NODELAY mosquitto's Nagle delay adds ≈ 40 ms to every reply and hides the agent's own latency.
        var config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            max_queued_messages 0
            max_inflight_messages 0
            set_tcp_nodelay true

            """);
        var brokerStart = new ProcessStartInfo(mosquitto, ["-c", config]) { RedirectStandardError = true };
        using var broker = Process.Start(brokerStart)!;
        Process? process = null;
        try
        {
            await IngestBench.WaitListeningAsync(port);
            process = await StartAgentAsync(agent, folder, port);
            var calibration = CalibrationSet.Load(Path.Combine(folder, "calibration.csv"));
            await using var probe = await InferenceProbe.ConnectAsync(port, DeviceId, calibration);
            await probe.WaitAnsweredAsync(TimeSpan.FromSeconds(60));
            await probe.MeasureAsync(30, TimeSpan.Zero);

            var idle = await probe.MeasureAsync(requests, TimeSpan.Zero);
            var rssBefore = AgentRssBench.Status(process.Id, "VmRSS");
            var spec = PhysicalSystems.Get("electronic").CreateDevice(DeviceId, 5).Spec;
            var limit = new MqttOptions().MaxPatDrivesPerRequest;
            List<long> rssDuring = [];
            async Task<(Latency Latency, FloodCounts Counts)> FloodAsync()
            {
                var offerBytes = InboundLimits.MaxOfferPackageBytes - 4096;
                await using var flood = await PatAndOfferFlood.StartAsync(port, DeviceId, spec, limit, offerBytes);
                using var sampling = new CancellationTokenSource();
                var sampler = SampleRssAsync(process.Id, rssDuring, sampling.Token);
                var latency = await probe.MeasureAsync(requests, TimeSpan.FromSeconds(floodSeconds));
                await sampling.CancelAsync();
                await sampler;
                return (latency, await flood.StopAsync());
            }

            var (loaded, counts) = await FloodAsync();

            // The agent drains its outbox and the runtime settles; then memory and latency once more, and a second
            // flood shows whether memory keeps growing or stays at the level the first one left.
            await Task.Delay(TimeSpan.FromSeconds(10));
            var rssAfter = AgentRssBench.Status(process.Id, "VmRSS");
            var after = await probe.MeasureAsync(requests, TimeSpan.Zero);
            var (_, secondCounts) = await FloodAsync();
            await Task.Delay(TimeSpan.FromSeconds(10));
            var rssAfterSecond = AgentRssBench.Status(process.Id, "VmRSS");
            rssDuring.Sort();
            double Mb(long kb) => Math.Round(kb / 1024.0, 1);
            var result = new JsonObject
            {
                ["agent"] = agent,
                ["pat_drives_per_request"] = limit,
                ["pat_slice_drives"] = new MqttOptions().PatSliceDrives,
                ["offer_package_bytes"] = InboundLimits.MaxOfferPackageBytes - 4096,
                ["flood_seconds"] = floodSeconds,
                ["pat_served"] = counts.PatServed,
                ["pat_refused_busy"] = counts.PatBusy,
                ["pat_refused_other"] = counts.PatOther,
                ["offers_answered"] = counts.OffersAnswered,
                ["offers_sent"] = counts.OffersSent,
                ["rss_before_mb"] = Mb(rssBefore),
                ["rss_flood_median_mb"] = Mb(rssDuring[rssDuring.Count / 2]),
                ["rss_flood_max_mb"] = Mb(rssDuring[^1]),
                ["rss_after_mb"] = Mb(rssAfter),
                ["rss_after_second_flood_mb"] = Mb(rssAfterSecond),
                ["second_flood_pat_served"] = secondCounts.PatServed,
                ["second_flood_pat_refused_busy"] = secondCounts.PatBusy,
                ["agent_peak_rss_mb"] = Mb(AgentRssBench.Status(process.Id, "VmHWM")),
                ["machine"] = $"{Environment.ProcessorCount} cores, "
                    + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, "
                    + $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}",
            };
            // Flat keys, so the report shows them as they are.
            AddRow(result, "idle", idle);
            AddRow(result, "flood", loaded);
            AddRow(result, "after", after);
            Console.WriteLine("| phase | inference requests | failed | p50 ms | p99 ms | max ms | agent RSS MB |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Console.WriteLine(TableRow("idle", idle, $"{Mb(rssBefore)}"));
            var floodRss = $"median {Mb(rssDuring[rssDuring.Count / 2])}, max {Mb(rssDuring[^1])}";
            Console.WriteLine(TableRow("PAT + offer flood", loaded, floodRss));
            Console.WriteLine(TableRow("after (10 s)", after, $"{Mb(rssAfter)}"));
            Console.WriteLine($"| after a second flood (10 s) | | | | | | {Mb(rssAfterSecond)} |");
            Console.WriteLine(
                $"Flood over {floodSeconds:F0} s: {counts.PatServed} PAT requests of {limit} drives served, "
                + $"{counts.PatBusy} refused busy, {counts.PatOther} refused otherwise; {counts.OffersAnswered} of "
                + $"{counts.OffersSent} offers answered; RSS peak {result["agent_peak_rss_mb"]} MB.");
            BenchJson.Write(result, output);
            return 0;
        }
        finally
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process?.Dispose();
            broker.Kill();
            await broker.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string TableRow(string phase, Latency latency, string rss) =>
        $"| {phase} | {latency.Count} | {latency.Failed} | {latency.P50:F1} | {latency.P99:F1} | {latency.Max:F1} "
        + $"| {rss} |";

    private static void AddRow(JsonObject result, string phase, Latency latency)
    {
        result[$"{phase}_requests"] = latency.Count;
        result[$"{phase}_failed"] = latency.Failed;
        result[$"{phase}_p50_ms"] = Math.Round(latency.P50, 2);
        result[$"{phase}_p99_ms"] = Math.Round(latency.P99, 2);
        result[$"{phase}_max_ms"] = Math.Round(latency.Max, 2);
    }

    private static async Task<Process> StartAgentAsync(string agent, string folder, int port)
    {
        var environment = await AgentRssBench.PrepareAsync(agent, folder);
        environment["EDGE_MQTT__ENABLED"] = "true";
        environment["EDGE_MQTT__URL"] = string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{port}");
        environment["EDGE_MQTT__ALLOWPLAINTEXT"] = "true";
        environment["EDGE_MQTT__OUTBOXPATH"] = Path.Combine(folder, "outbox.db");
        var start = new ProcessStartInfo(agent, ["run"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // Run as deployed: with the systemd unit's runtime settings (Environment=DOTNET_…).
        foreach (var (key, value) in environment.Concat(FaultAgent.UnitRuntimeSettings()))
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    private static async Task SampleRssAsync(int pid, List<long> samples, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            samples.Add(AgentRssBench.Status(pid, "VmRSS"));
            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
