using BenchmarkDotNet.Attributes;
using Edge.Agent.Inference;

namespace Edge.Benchmarks;

/// <summary>Software overhead of one hybrid inference (3 ONNX Runtime stages, 2 drive assemblies) beyond device
/// time.</summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private HybridModel _model = null!;
    private float[] _features = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = HybridModelFactory.Create();
        _features = [0.1f, 0.5f, 0.3f, 0.9f, 0.2f, 0.7f, 0.4f, 0.6f, 0.8f, 0.05f, 0.35f, 0.65f];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public int Classify() => _model.ClassifyAsync(_features).GetAwaiter().GetResult().ClassIndex;
}
