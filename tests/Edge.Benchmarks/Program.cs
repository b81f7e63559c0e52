using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c> for BenchmarkDotNet, or
/// <c>-- ingest [--count N] [--batch N] [--out file.json]</c> for the MQTT ingest bench (<see cref="IngestBench"/>).
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "ingest")
        {
            return await IngestBench.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
