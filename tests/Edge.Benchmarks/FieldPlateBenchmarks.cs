using BenchmarkDotNet.Attributes;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;
using Edge.Domain.Simulation.Mechanical;

namespace Edge.Benchmarks;

/// <summary>
/// What the field plate costs, before and after it: the mechanical part's forward pass per drive on the lab part,
/// on the field part as it was before the plate's own effects (clipping and coil heating around the twin's
/// equations), and on the field part with them (extra modes, Bl(x), microphone resonance, sample-clock jitter), in
/// one process so the three share the machine's load (a 64-drive batch on one core).
/// </summary>
[MemoryDiagnoser]
public class FieldPlateBenchmarks
{
    private const int Batch = 64;
    private float[] _drives = null!;
    private float[] _responses = null!;
    private SimulatedDevice _device = null!;

    /// <summary>lab, field-chain (the field profile before the plate's effects) or field.</summary>
    [Params("lab", "field-chain", "field")]
    public string Part { get; set; } = "lab";

    /// <summary>Builds the part and a batch of uniform drives.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var system = MechanicalSystem.Default;
        var field = FieldProfiles.Mechanical;
        var effects = Part switch
        {
            "lab" => null,
            "field-chain" => field with
            {
                ExtraPlateModes = 0, ForceFactorDrop = 0, MicResonanceHz = 0, SampleJitterNs = 0,
            },
            _ => field,
        };
        _device = system.CreateDevice("bench-plate", 1, system.DefaultImperfections with { Field = effects });
        _device.MaxDegreeOfParallelism = 1;
        _drives = BenchDrives.Uniform(Batch * system.Spec.DriveLength);

        _responses = new float[Batch * system.Spec.OutputSize];
    }

    /// <summary>One batch through the part; reported per drive.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Description = "plate forward, 64-drive batch, 1 core (per drive)")]
    public void DeviceForward() => _device.Forward(_drives, _responses);
}
