using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Edge.Agent.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Benchmarks;

/// <summary>
/// The cost of "durable before visible": every reply the agent puts into its SQLite outbox first commits the
/// measurements recorded before it, in the same transaction (<see cref="SqliteOutbox.Enqueue"/>).
/// Times, on the real outbox in a
/// temporary folder (WAL, synchronous=NORMAL), a reply alone, a reply preceded by k measurements (k = 1, 26 — a
/// tenth of a 256-drive PAT request —, 256), and measurements in full batches of 256 (the path without replies).
/// <c>-- outbox-commit [--replies N] [--out file.json]</c>; prints a markdown table and writes JSON.
/// </summary>
public static class OutboxCommitBench
{
    private static readonly int[] MeasurementsPerReply = [0, 1, 26, 256];

    public static async Task<int> RunAsync(string[] args)
    {
        var replies = int.Parse(AgentRssBench.Option(args, "--replies", "2000"), CultureInfo.InvariantCulture);
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/outbox-commit.json");
        var folder = Directory.CreateTempSubdirectory("edge-outbox-bench-");
        try
        {
            var spec = PhysicalSystems.Get("electronic").Spec;
            var rows = new List<Dictionary<string, object>>();
            Console.WriteLine("| what | per reply µs | per measurement µs |");
            Console.WriteLine("|---|---|---|");
            foreach (var k in MeasurementsPerReply)
            {
                var seconds = Time(folder.FullName, $"replies-{k}", spec, replies, k, withReplies: true);
                var perReply = seconds * 1e6 / replies;
                var perMeasurement = k == 0 ? double.NaN : perReply / k;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| reply after {k} measurements committed | {perReply:F1} | "
                    + $"{(k == 0 ? "–" : perMeasurement.ToString("F2", CultureInfo.InvariantCulture))} |"));
                rows.Add(new() { ["measurements_per_reply"] = k, ["us_per_reply"] = Math.Round(perReply, 2) });
            }

            var batched = Time(folder.FullName, "batched", spec, replies, 256, withReplies: false);
            var batchedPerMeasurement = batched * 1e6 / (replies * 256.0);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| no replies: full batches of 256 only | – | {batchedPerMeasurement:F2} |"));
            var result = new Dictionary<string, object>
            {
                ["replies"] = replies,
                ["rows"] = rows,
                ["batched_us_per_measurement"] = Math.Round(batchedPerMeasurement, 3),
            };
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(
                output,
                JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Seconds for <paramref name="replies"/> rounds of <paramref name="k"/> measurements (and a
    /// reply).</summary>
    private static double Time(
        string folder,
        string name,
        Edge.Domain.Specs.LayerSpec spec,
        int replies,
        int k,
        bool withReplies)
    {
        using var outbox = new SqliteOutbox(Path.Combine(folder, name + ".db"), 10_000_000, 1L << 40);
        var recorder = new MeasurementRecorder(spec, "bench-agent", outbox, batchSize: 256);
        var drive = new float[spec.DriveLength];
        var response = new float[spec.OutputSize];
        var reply = new byte[64];
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < replies; r++)
        {
            for (var i = 0; i < k; i++)
            {
                recorder.Record(drive, response, now);
            }

            if (withReplies)
            {
                outbox.Enqueue(new OutboxMessage(
                    Guid.CreateVersion7(),
                    "edge/v1/_requesters/bench/pat/response",
                    reply,
                    IsMeasurement: false));
            }
        }

        return clock.Elapsed.TotalSeconds;
    }
}
