using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c> for the BenchmarkDotNet
/// suites, or <c>-- bridge [--out file.json]</c> for the bridge link bench.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bridge")
        {
            return await BridgeLinkBench.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
