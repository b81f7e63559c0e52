using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Tests.Shared.Faults;

namespace Edge.Benchmarks;

/// <summary>
/// <c>soak --minutes M [--fault-every S] [--sample-every S] [--agent-env NAME=VALUE]… [--out file.json]</c>: the
/// field of the fault bench
/// (shipped mosquitto, <c>edge-agent run</c>, <c>edge-trainer serve --store</c>, a stock client sending ≈ 200 tagged
/// PAT drives/s) for M minutes with a fault every S seconds in turn — trainer kill -9, mosquitto kill -9, trainer
/// SIGSTOP 20 s — while the agent's resident memory, open descriptors and threads are sampled from /proc. Reports
/// their least-squares slopes after the first fifth of the run, the agent's and trainer's error counters from
/// /metrics, and answered/stored/lost at the end.
/// </summary>
internal static class SoakBench
{
    private static readonly string[] Faults = ["trainer kill -9", "mosquitto kill -9", "trainer SIGSTOP 20 s"];

    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = double.Parse(AgentRssBench.Option(args, "--minutes", "30"), CultureInfo.InvariantCulture);
        var faultEvery = double.Parse(AgentRssBench.Option(args, "--fault-every", "120"), CultureInfo.InvariantCulture);
        var sampleEvery = double.Parse(AgentRssBench.Option(args, "--sample-every", "5"), CultureInfo.InvariantCulture);
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/soak.json");
        // Runtime settings tried on the agent alone (e.g. MALLOC_ARENA_MAX=2), on top of the unit's.
        var agentEnvironment = AgentEnvironment(args);
        var work = Directory.CreateTempSubdirectory("edge-soak-").FullName;
        ShippedBrokerFiles.OpenToBroker(new DirectoryInfo(work));
        var (agentMetrics, trainerMetrics) = (FaultBroker.FreePort(), FaultBroker.FreePort());
        var samples = new List<(double T, long RssKb, int Handles, int Threads)>();
        var faultLog = new JsonArray();
        FaultOutcome outcome;
        string agentCounters, trainerCounters;
        var scene = await FaultScene.CreateAsync(Path.Combine(work, "field"), FaultExecutables.BesideThisAssembly(), 1);
        try
        {
            var agent = scene.Agents[0];
            agent.Set("EDGE_METRICS__PORT", agentMetrics.ToString(CultureInfo.InvariantCulture));
            foreach (var (name, value) in agentEnvironment)
            {
                agent.Set(name, value);
            }

            scene.StartTrainer(["--metrics-port", trainerMetrics.ToString(CultureInfo.InvariantCulture)]);
            scene.StartAgents();
            scene.StartDrivers(8, TimeSpan.FromSeconds(0.04));
            await scene.WaitAnsweringAsync();
            var end = scene.Clock.Elapsed + TimeSpan.FromMinutes(minutes);
            var nextSample = scene.Clock.Elapsed;
            var nextFault = scene.Clock.Elapsed + TimeSpan.FromSeconds(faultEvery);
            var faults = 0;
            Console.WriteLine($"soak: {minutes} min, a fault every {faultEvery} s, samples every {sampleEvery} s, "
                + $"agent environment: {string.Join(' ', agentEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
            while (scene.Clock.Elapsed < end)
            {
                if (scene.Clock.Elapsed >= nextSample)
                {
                    if (agent.Sample() is { } sample)
                    {
                        samples.Add((scene.Clock.Elapsed.TotalSeconds, sample.RssKb, sample.Handles, sample.Threads));
                    }

                    nextSample += TimeSpan.FromSeconds(sampleEvery);
                }

                if (scene.Clock.Elapsed >= nextFault)
                {
                    var fault = Faults[faults++ % Faults.Length];
                    faultLog.Add(new JsonObject
                    {
                        ["t_s"] = Math.Round(scene.Clock.Elapsed.TotalSeconds),
                        ["fault"] = fault,
                    });
                    Console.WriteLine($"{scene.Clock.Elapsed:hh\\:mm\\:ss} {fault}; agent RSS "
                        + $"{(samples.Count > 0 ? samples[^1].RssKb / 1024 : 0)} MB");
                    await InjectAsync(scene, fault, trainerMetrics);
                    nextFault += TimeSpan.FromSeconds(faultEvery);
                }

                await Task.Delay(200);
            }

            agentCounters = await CountersAsync(agentMetrics);
            foreach (var driver in scene.Drivers)
            {
                await driver.StopSendingAsync();
                await driver.WaitRepliesAsync(TimeSpan.FromSeconds(10));
            }

            outcome = await FaultRunner.CountAsync("soak", 1, scene);
            trainerCounters = await CountersAsync(trainerMetrics);
            if (agent.UnexpectedExits > 0)
            {
                Console.WriteLine($"the agent exited {agent.UnexpectedExits}×: samples span its processes");
            }
        }
        finally
        {
            await scene.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }

        var span = samples[^1].T - samples[0].T;
        var steady = samples.Where(s => s.T >= samples[0].T + (span / 5)).ToList();
        double Slope(Func<(double T, long RssKb, int Handles, int Threads), double> value) =>
            Math.Round(LeastSquaresSlope(steady.Select(s => (s.T, value(s))).ToList()) * 3600, 2);

        // Settling or leaking: a heap that settles has a slope that falls third by third, a leak keeps it.
        var rssByThird = Enumerable.Range(0, 3).Select(third => Math.Round(LeastSquaresSlope(samples
            .Where(s => s.T >= samples[0].T + (third * span / 3) && s.T <= samples[0].T + ((third + 1) * span / 3))
            .Select(s => (s.T, s.RssKb / 1024.0)).ToList()) * 3600, 2)).ToList();
        var result = new JsonObject
        {
            ["bench"] = "soak",
            ["minutes"] = minutes,
            ["fault_every_s"] = faultEvery,
            ["agent_env"] = new JsonObject([.. agentEnvironment.Select(e =>
                KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))]),
            ["faults"] = faultLog,
            ["samples"] = samples.Count,
            ["rss_mb_first"] = Math.Round(samples[0].RssKb / 1024.0, 1),
            ["rss_mb_last"] = Math.Round(samples[^1].RssKb / 1024.0, 1),
            ["rss_mb_max"] = Math.Round(samples.Max(s => s.RssKb) / 1024.0, 1),
            ["rss_mb_per_hour"] = Slope(s => s.RssKb / 1024.0),
            ["rss_mb_per_hour_by_third"] = new JsonArray([.. rssByThird.Select(v => JsonValue.Create(v))]),
            ["handles_first"] = samples[0].Handles,
            ["handles_last"] = samples[^1].Handles,
            ["handles_max"] = samples.Max(s => s.Handles),
            ["handles_per_hour"] = Slope(s => s.Handles),
            ["threads_first"] = samples[0].Threads,
            ["threads_last"] = samples[^1].Threads,
            ["threads_max"] = samples.Max(s => s.Threads),
            ["threads_per_hour"] = Slope(s => s.Threads),
            ["answered"] = outcome.Answered,
            ["stored"] = outcome.Stored,
            ["lost"] = outcome.Lost,
            ["pending_in_outbox"] = outcome.Pending,
            ["duplicated"] = outcome.Duplicated,
            ["agent_restarts"] = outcome.AgentRestarts,
            ["agent_counters"] = agentCounters,
            ["trainer_counters"] = trainerCounters,
            ["series"] = new JsonArray([.. samples.Select(s => new JsonArray(
                Math.Round(s.T), s.RssKb, s.Handles, s.Threads))]),
        };
        Console.WriteLine("| quantity | first | last | max | slope per hour (after the first fifth) |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| agent RSS MB | {result["rss_mb_first"]} | {result["rss_mb_last"]} "
            + $"| {result["rss_mb_max"]} | {result["rss_mb_per_hour"]} |");
        Console.WriteLine($"| open descriptors | {result["handles_first"]} | {result["handles_last"]} "
            + $"| {result["handles_max"]} | {result["handles_per_hour"]} |");
        Console.WriteLine($"| threads | {result["threads_first"]} | {result["threads_last"]} | {result["threads_max"]} "
            + $"| {result["threads_per_hour"]} |");
        Console.WriteLine($"agent RSS slope MB/h in each third of the run: {string.Join(", ", rssByThird)}");
        Console.WriteLine($"answered {outcome.Answered:N0}, stored {outcome.Stored:N0}, lost {outcome.Lost:N0} "
            + $"({outcome.Pending:N0} still in the outbox), "
            + $"duplicated {outcome.Duplicated:N0}, agent restarts {outcome.AgentRestarts}");
        Console.WriteLine($"agent counters: {agentCounters}");
        Console.WriteLine($"trainer counters: {trainerCounters}");
        BenchJson.Write(result, output);
        return 0;
    }

    private static List<KeyValuePair<string, string>> AgentEnvironment(string[] args)
    {
        var settings = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--agent-env")
            {
                var equals = args[i + 1].IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new ArgumentException($"--agent-env wants NAME=VALUE, not '{args[i + 1]}'");
                }

                settings.Add(KeyValuePair.Create(args[i + 1][..equals], args[i + 1][(equals + 1)..]));
            }
        }

        return settings;
    }

    private static async Task InjectAsync(FaultScene scene, string fault, int trainerMetrics)
    {
        switch (Array.IndexOf(Faults, fault))
        {
            case 0:
                scene.KillTrainer();
                await Task.Delay(1000);
                scene.StartTrainer(["--metrics-port", trainerMetrics.ToString(CultureInfo.InvariantCulture)]);
                break;
            case 1:
                scene.Broker.Kill();
                await Task.Delay(1000);
                await scene.Broker.StartAsync();
                break;
            default:
                scene.Trainer?.Signal("STOP");
                await Task.Delay(20_000);
                scene.Trainer?.Signal("CONT");
                break;
        }
    }

    /// <summary>The non-zero counters of a /metrics page whose names speak of errors, drops, retries or faults.
    /// </summary>
    private static async Task<string> CountersAsync(int port)
    {
        string[] words = ["error", "drop", "fail", "reconnect", "refus", "shed", "degrad", "reject", "duplicate",
            "redeliver", "resen", "lost"];
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var page = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"));
            var lines = page.Split('\n').Where(l => l.Length > 0 && l[0] != '#'
                && words.Any(w => l.Contains(w, StringComparison.OrdinalIgnoreCase))
                && !l.EndsWith(" 0", StringComparison.Ordinal));
            return string.Join("; ", lines);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"(no /metrics on port {port}: {e.Message})";
        }
    }

    private static double LeastSquaresSlope(List<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }

        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        var covariance = points.Sum(p => (p.X - mx) * (p.Y - my));
        var variance = points.Sum(p => (p.X - mx) * (p.X - mx));
        return variance == 0 ? 0 : covariance / variance;
    }
}
