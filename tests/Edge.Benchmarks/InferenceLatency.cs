using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Edge.Benchmarks;

/// <summary>
/// <c>inference-latency [--count N] [--out file.json]</c>: times N single hybrid inferences one by one (device cost
/// zero) after a warm-up, prints p50/p99/p99.9/max and managed bytes allocated in steady state, and writes JSON.
/// BenchmarkDotNet gives means per iteration; this gives the per-inference tail the p99 target is about.
/// </summary>
internal static class InferenceLatency
{
    public static void Run(string[] args)
    {
        var count = 200_000;
        string? output = null;
        for (var i = 0; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--count":
                    count = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--out":
                    output = args[i + 1];
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. Options: --count N, --out file.json.");
            }
        }

        using var model = HybridModelFactory.Create();
        float[] features = [0.1f, 0.5f, 0.3f, 0.9f, 0.2f, 0.7f, 0.4f, 0.6f, 0.8f, 0.05f, 0.35f, 0.65f];
        for (var i = 0; i < 20_000; i++)
        {
            model.ClassifyAsync(features).GetAwaiter().GetResult();
        }

        var ticks = new long[count];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            model.ClassifyAsync(features).GetAwaiter().GetResult();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Array.Sort(ticks);
        double Micros(double quantile)
            => Stopwatch.GetElapsedTime(0, ticks[Math.Min(count - 1, (int)(quantile * count))]).TotalMicroseconds;
        var result = new JsonObject
        {
            ["inferences"] = count,
            ["p50_us"] = Math.Round(Micros(0.50), 2),
            ["p99_us"] = Math.Round(Micros(0.99), 2),
            ["p999_us"] = Math.Round(Micros(0.999), 2),
            ["max_us"] = Math.Round(Micros(1.0), 2),
            ["allocated_bytes_per_inference"] = (double)allocated / count,
            ["machine"] =
                $"{Environment.ProcessorCount} cores, "
                    + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        };
        Console.WriteLine("| inferences | p50 µs | p99 µs | p99.9 µs | max µs | bytes/inference |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| {count} | {result["p50_us"]} | {result["p99_us"]} | {result["p999_us"]} | "
            + $"{result["max_us"]} | {result["allocated_bytes_per_inference"]} |");
        if (output is not null)
        {
            BenchJson.Write(result, output);
        }
    }
}
