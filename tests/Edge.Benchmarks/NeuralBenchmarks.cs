using BenchmarkDotNet.Attributes;
using Edge.Trainer.Neural;

namespace Edge.Benchmarks;

/// <summary>Twin-fit hot path: MLP 24→256→256→256→12 (SiLU) on one thread.</summary>
[MemoryDiagnoser]
public class NeuralBenchmarks
{
    private static readonly int[] TwinShape = [24, 256, 256, 256, 12];

    private Mlp _mlp = null!;
    private Adam _adam = null!;
    private MlpActivations _activations = null!;
    private float[] _input = null!;
    private float[] _target = null!;
    private float[] _output = null!;
    private float[] _gradient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _mlp = new Mlp(TwinShape, 1);
        _adam = new Adam(_mlp.Parameters, 1e-3);
        _activations = new MlpActivations(_mlp, 256);
        var random = new Random(2);
        _input = new float[256 * 24];
        _target = new float[256 * 12];
        for (var i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (var i = 0; i < _target.Length; i++)
        {
            _target[i] = (float)((random.NextDouble() * 2) - 1);
        }

        _output = new float[256 * 12];
        _gradient = new float[256 * 12];
    }

    /// <summary>One Adam step at batch 256: forward, MSE, backward with parameter gradients, update.</summary>
    [Benchmark]
    public double FitStepBatch256() => Step(256, updateParameters: true);

    /// <summary>Forward + backward (input and parameter gradients) at batch 32, no optimiser step.</summary>
    [Benchmark]
    public double ForwardBackwardBatch32() => Step(32, updateParameters: false);

    private double Step(int batch, bool updateParameters)
    {
        var output = _output.AsSpan(0, batch * 12);
        var gradient = _gradient.AsSpan(0, batch * 12);
        _adam.ZeroGradients();
        _mlp.Forward(_input.AsSpan(0, batch * 24), batch, output, _activations);
        var loss = Losses.MeanSquaredError(output, _target.AsSpan(0, batch * 12), gradient);
        _mlp.Backward(_activations, gradient, default, accumulateParameterGradients: true);
        if (updateParameters)
        {
            _adam.Step();
        }

        return loss;
    }
}
