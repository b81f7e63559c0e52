using BenchmarkDotNet.Attributes;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Benchmarks;

/// <summary>
/// Throughput of the electronic layer on one core: a 256-drive batch through the simulated part with every default
/// imperfection, and one forward-with-tape plus VJP through the physics. Times are per drive (drives/s = 1/time).
/// </summary>
[MemoryDiagnoser]
public class ElectronicBenchmarks
{
    private const int Batch = 256;
    private readonly float[] _drives = BenchDrives.Uniform(Batch * 24);
    private readonly float[] _responses = new float[Batch * 12];
    private readonly double[] _drive = new double[24];
    private readonly double[] _output = new double[12];
    private readonly double[] _outputGradient = new double[12];
    private readonly double[] _driveGradient = new double[24];
    private readonly double[] _coefficientGradient = new double[DiodeClampedRlc.CoefficientCount];
    private SimulatedDevice _device = null!;
    private OdeLayerPhysics<DiodeClampedRlc> _physics = null!;
    private double[] _coefficients = null!;
    private double[] _tape = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _drive.Length; i++)
        {
            _drive[i] = _drives[i];
        }

        _outputGradient.AsSpan().Fill(1);
        _device = new SimulatedDevice(ElectronicSystem.OdePhysics, "bench-board",
            ElectronicSystem.Instance.DefaultImperfections, 1)
        {
            MaxDegreeOfParallelism = 1,
        };
        _physics = ElectronicSystem.OdePhysics;
        _coefficients = [.. _device.PartCoefficients];
        _tape = new double[_physics.TapeLength];
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "device forward, 256-drive batch, 1 core (per drive)")]
    public void DeviceForward() => _device.Forward(_drives, _responses);

    [Benchmark(Description = "physics forward with tape + VJP (per drive)")]
    public void ForwardAndVjp()
    {
        _physics.Forward(_coefficients, _drive, _output, _tape);
        _physics.Backward(_coefficients, _drive, _tape, _outputGradient, _driveGradient, _coefficientGradient);
    }
}
