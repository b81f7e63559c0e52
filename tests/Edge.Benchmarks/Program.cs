using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c> for the BenchmarkDotNet
/// suites, or one of the bench commands that print a table and write JSON: <c>-- bridge [--out file.json]</c>
/// (bridge link efficiency), <c>-- inference-latency [--out file.json]</c> (agent inference overhead) and
/// <c>-- ingest [--count N] [--batch N] [--out file.json]</c> (MQTT measurement ingest). The JSON a run writes (the
/// <c>--out</c> file, BenchmarkDotNet's full JSON exports) gets a <c>run</c> block: command, machine, timestamp.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Described before the run so the load average is the machine's, not the bench's own.
        var run = BenchRunStamp.Describe(args);
        var started = DateTime.UtcNow;
        int exitCode;
        switch (args)
        {
            case ["bridge", .. var rest]:
                exitCode = await BridgeLinkBench.RunAsync(rest);
                break;
            case ["inference-latency", .. var rest]:
                InferenceLatency.Run(rest);
                exitCode = 0;
                break;
            case ["ingest", .. var rest]:
                exitCode = await IngestBench.RunAsync(rest);
                break;
            default:
                var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
                BenchRunStamp.StampBenchmarkDotNet(summaries.Select(s => s.ResultsDirectoryPath), started, run);
                return 0;
        }

        BenchRunStamp.StampOutput(args, run);
        return exitCode;
    }
}
