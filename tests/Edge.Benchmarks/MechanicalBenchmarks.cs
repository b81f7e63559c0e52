using BenchmarkDotNet.Attributes;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Mechanical;

namespace Edge.Benchmarks;

/// <summary>
/// The mechanical layer (24 segments × 48 samples at 48 kHz, 13-state RK4) on one core: a 256-drive batch played on
/// the simulated part with every imperfection on, and the twin's forward-with-tape plus adjoint per drive.
/// Results are per drive (OperationsPerInvoke), so drives/s = 1 / mean.
/// </summary>
[MemoryDiagnoser]
public class MechanicalBenchmarks
{
    private const int Batch = 256;

    private readonly MechanicalSystem _system = MechanicalSystem.Default;
    private SimulatedDevice _device = null!;
    private float[] _drives = null!;
    private float[] _responses = null!;
    private double[] _coefficients = null!;
    private double[] _drive = null!;
    private double[] _output = null!;
    private double[] _tape = null!;
    private double[] _outputGradient = null!;
    private double[] _driveGradient = null!;
    private double[] _coefficientGradient = null!;

    [GlobalSetup]
    public void Setup()
    {
        var spec = _system.Spec;
        _device = _system.CreateDevice("bench-plate", seed: 1);
        _drives = BenchDrives.Uniform(Batch * spec.DriveLength, seed: 2);

        _responses = new float[Batch * spec.OutputSize];
        _coefficients = [.. _device.PartCoefficients];
        _drive = new double[spec.DriveLength];
        for (var i = 0; i < _drive.Length; i++)
        {
            _drive[i] = _drives[i];
        }

        _output = new double[spec.OutputSize];
        _tape = new double[_system.Physics.TapeLength];
        _outputGradient = new double[spec.OutputSize];
        Array.Fill(_outputGradient, 1.0);
        _driveGradient = new double[spec.DriveLength];
        _coefficientGradient = new double[_coefficients.Length];
    }

    /// <summary>One 256-drive batch on the simulated part (imperfections on, one thread); time per drive.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void DevicePlayBatch() => _device.Forward(_drives, _responses);

    /// <summary>Twin forward with tape and discrete adjoint (drive and coefficient gradients); time per
    /// drive.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void PhysicsForwardAndAdjoint()
    {
        var physics = _system.Physics;
        for (var d = 0; d < Batch; d++)
        {
            physics.Forward(_coefficients, _drive, _output, _tape);
            physics.Backward(_coefficients, _drive, _tape, _outputGradient, _driveGradient, _coefficientGradient);
        }
    }
}
