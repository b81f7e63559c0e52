using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c>, or <c>-- inference-latency [--out file.json]</c>.</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args)
    {
        if (args is ["inference-latency", .. var rest])
        {
            InferenceLatency.Run(rest);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
