using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Messaging;
using Edge.Trainer.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Benchmarks;

/// <summary>
/// Measurement ingest agent → mosquitto → trainer on loopback, against the raw rate of mosquitto_pub → mosquitto_sub
/// (QoS 1, record-sized payloads) on the same broker in the same run. Prints a markdown table and writes JSON.
/// The agent side is the real agent host (recorder → SQLite outbox → MQTT service); the trainer side is the real
/// ingest into a SQLite store, or (<c>--store postgres</c>) a PostgreSQL server the bench starts with its default,
/// durable settings. Lost = produced − stored; duplicates = redelivered ids the store dropped. Also reports the CPU
/// time agent and trainer (this process; mosquitto excluded) spent, which the load from other work on the machine —
/// the load average, printed too — does not inflate the way it inflates wall time.
/// </summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = IntOption(args, "--count", 100_000);
        var batch = IntOption(args, "--batch", 1_000);
        var output = StringOption(args, "--out", "artifacts/bench/mqtt-ingest.json");
        var storeKind = StringOption(args, "--store", "sqlite");
        if (storeKind is not ("sqlite" or "postgres"))
        {
            await Console.Error.WriteLineAsync($"error: --store {storeKind}: use sqlite or postgres.");
            return 2;
        }

        var mosquitto = Find("mosquitto");
        var pub = Find("mosquitto_pub");
        var sub = Find("mosquitto_sub");
        if (mosquitto is null || pub is null || sub is null)
        {
            await
                Console.Error.WriteLineAsync("error: the ingest bench needs mosquitto and mosquitto-clients (apt-get "
                    + "install mosquitto mosquitto-clients).");
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("edge-ingest-bench-");
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "mosquitto.conf"),
            $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n");
        using var broker = Process.Start(new ProcessStartInfo(mosquitto,
            ["-c", Path.Combine(folder.FullName, "mosquitto.conf")]) { RedirectStandardError = true })!;
        try
        {
            await WaitListeningAsync(port);
            var spec = Edge.Domain.Simulation.PhysicalSystems.Get("electronic").Spec;
            var recordBytes = Edge.Domain.Messaging.MeasurementBatch.RecordSize(spec.InputSize, spec.DriveLength,
                spec.OutputSize);
            // mosquitto_pub -l stalls once its QoS 1 packet ids wrap at 65 535, so the raw run stays below that.
            var rawCount = Math.Min(count, 60_000);
            var raw = await RawRateAsync(pub, sub, port, rawCount, recordBytes, folder.FullName);
            var loadBefore = LoadAverage();
            await using var postgres = storeKind == "postgres"
                ? await Edge.Testing.PostgresServer.StartAsync(durable: true) : null;
            var target = postgres is null ? Path.Combine(folder.FullName, "trainer.db")
                : await postgres.CreateDatabaseAsync("bench");
            var edge = await EdgeRateAsync(port, folder.FullName, target, count, batch);
            var load = $"{loadBefore} → {LoadAverage()}";
            var result = new Dictionary<string, object>
            {
                ["measurements"] = count,
                ["batch_size"] = batch,
                ["record_bytes"] = recordBytes,
                ["edge_measurements_per_s"] = Math.Round(edge.Rate),
                ["edge_seconds"] = Math.Round(edge.Seconds, 3),
                ["edge_stored"] = edge.Stored,
                ["edge_lost"] = count - edge.Stored,
                ["edge_duplicates"] = edge.Duplicates,
                ["edge_store"] = storeKind,
                ["edge_cpu_seconds"] = Math.Round(edge.CpuSeconds, 3),
                ["edge_cpu_us_per_measurement"] = Math.Round(edge.CpuSeconds * 1e6 / count, 2),
                ["load_average_1min"] = load,
                ["raw_messages_per_s"] = Math.Round(raw.Rate),
                ["raw_seconds"] = Math.Round(raw.Seconds, 3),
                ["raw_messages"] = rawCount,
                ["raw_received"] = raw.Received,
                ["processors"] = Environment.ProcessorCount,
            };
            var storeName = postgres is null ? "SQLite" : "PostgreSQL";
            var edgeRow = $"| edge: agent recorder → SQLite outbox → mosquitto → ingest → {storeName} store "
                + $"(batches of {batch}) | {count:N0} measurements | {edge.Seconds:F2} | **{edge.Rate:N0}** | "
                + $"{edge.Rate * recordBytes / 1e6:F1} | {count - edge.Stored} | {edge.Duplicates} | "
                + $"{edge.CpuSeconds:F2} ({edge.CpuSeconds * 1e6 / count:F1} µs/measurement) |";
            var rawRow = $"| raw: mosquitto_pub -l → mosquitto_sub, QoS 1, one {recordBytes}-byte message per "
                + $"measurement | {rawCount:N0} messages | {raw.Seconds:F2} | {raw.Rate:N0} | "
                + $"{raw.Rate * recordBytes / 1e6:F1} | {rawCount - raw.Received} | – | – |";
            Console.WriteLine($"""
                | path | items | seconds | items/s | MB/s | lost | duplicates | agent+trainer CPU s |
                |---|---|---|---|---|---|---|---|
                {edgeRow}
                {rawRow}

                load average (1 min) before → after: {load} on {Environment.ProcessorCount} cores
                """);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output,
                JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
            return edge.Stored == count && edge.Duplicates == 0 ? 0 : 1;
        }
        finally
        {
            broker.Kill();
            await broker.WaitForExitAsync();
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(double Rate, double Seconds, long Stored, long Duplicates,
        double CpuSeconds)> EdgeRateAsync(int port, string folder, string target, int count, int batch)
    {
        await using var store = await MeasurementStore.OpenAsync(target);
        await using var ingest = new MeasurementIngest(new BrokerOptions { Host = "127.0.0.1", Port = port, UseTls =
            false, AllowPlaintext = true, ClientId = "bench-ingest" }, store, new TrainerMetrics(),
                NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        var builder =
            AgentHost.CreateBuilder(new AgentSettingsSources(null, new Dictionary<string, string?>()), new
                Dictionary<string, string?>
        {
            ["Edge:Device:DeviceId"] = "bench-agent",
            ["Edge:Mqtt:Enabled"] = "true",
            ["Edge:Mqtt:Url"] = string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{port}"),
            ["Edge:Mqtt:AllowPlaintext"] = "true",
            ["Edge:Mqtt:OutboxPath"] = Path.Combine(folder, "outbox.db"),
            ["Edge:Mqtt:MeasurementBatchSize"] = batch.ToString(CultureInfo.InvariantCulture),
            ["Edge:Mqtt:OutboxMaxMessages"] = "1000000",
            ["Edge:Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddEdgeMqtt();
        using var host = builder.Build();
        await host.StartAsync();
        var mqtt = host.Services.GetRequiredService<MqttAgentService>();
        while (!mqtt.IsConnected)
        {
            await Task.Delay(10);
        }

        var recorder = host.Services.GetRequiredService<MeasurementRecorder>();
        var spec = host.Services.GetRequiredService<Edge.Domain.Devices.IPhysicalDevice>().Spec;
        var random = new Random(1);
        var drives = new float[1024 * spec.DriveLength];
        var responses = new float[1024 * spec.OutputSize];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextDouble();
        }

        for (var i = 0; i < responses.Length; i++)
        {
            responses[i] = (float)random.NextDouble();
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var row = i % 1024;
            recorder.Record(drives.AsSpan(row * spec.DriveLength, spec.DriveLength),
                responses.AsSpan(row * spec.OutputSize, spec.OutputSize), now);
        }

        recorder.Flush();
        var deadline = Stopwatch.StartNew();
        while (ingest.Ingested + ingest.Duplicates < count && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(2);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        // A batch leaves the agent's outbox only on the trainer's measurements/ack: wait for the last acks.
        var outbox = host.Services.GetRequiredService<SqliteOutbox>();
        var acks = Stopwatch.StartNew();
        while (outbox.Count > 0 && acks.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Console.WriteLine(
            $"agent outbox after the trainer's acks: {outbox.Count} messages "
            + $"({acks.Elapsed.TotalMilliseconds:F0} ms after the last store)");
        var stored = await store.CountAsync("bench-agent");
        await host.StopAsync();
        return (count / seconds, seconds, stored, ingest.Duplicates, cpuSeconds);
    }

    private static async Task<(double Rate, double Seconds, int Received)> RawRateAsync(string pub, string sub,
        int port, int count, int payloadBytes, string folder)
    {
        // Both clients run exactly as an operator would: lines from a file into mosquitto_pub -l, mosquitto_sub
        // counting into wc -l, so neither side pays for this process's pipe handling.
        var lines = Path.Combine(folder, "raw.txt");
        await File.WriteAllTextAsync(lines,
            string.Concat(Enumerable.Repeat(new string('x', payloadBytes) + "\n", count)));
        var subscribe = $"{sub} -h 127.0.0.1 -p {port} -t bench/raw -q 1 -C {count} -W 120 | wc -l";
        using var subscriber = Process.Start(new ProcessStartInfo("bash", ["-c", subscribe]) { RedirectStandardOutput =
            true })!;
        await Task.Delay(500);
        var clock = Stopwatch.StartNew();
        using var publisher = Process.Start(new ProcessStartInfo("bash",
            ["-c", $"{pub} -h 127.0.0.1 -p {port} -t bench/raw -q 1 -l < {lines}"]))!;
        var received = int.Parse((await subscriber.StandardOutput.ReadToEndAsync()).Trim(),
            CultureInfo.InvariantCulture);
        await subscriber.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        await publisher.WaitForExitAsync();
        return (received / seconds, seconds, received);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    internal static async Task WaitListeningAsync(int port)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(10);
            }
        }

        throw new TimeoutException("mosquitto did not start listening.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string? Find(string name)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(["/usr/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string StringOption(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
