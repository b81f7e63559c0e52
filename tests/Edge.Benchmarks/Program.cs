using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c>.</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
