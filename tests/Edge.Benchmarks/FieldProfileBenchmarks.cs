using BenchmarkDotNet.Attributes;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

namespace Edge.Benchmarks;

/// <summary>
/// What the field profile costs: the simulated part's forward pass per drive, lab against field, for every system
/// that has field effects (a 64-drive batch on one core). The lab rows are the part as main had it.
/// </summary>
[MemoryDiagnoser]
public class FieldProfileBenchmarks
{
    private const int Batch = 64;
    private float[] _drives = null!;
    private float[] _responses = null!;
    private SimulatedDevice _device = null!;

    /// <summary>The simulated system.</summary>
    [Params("electronic", "mechanical", "optical")]
    public string System { get; set; } = "electronic";

    /// <summary>The device profile.</summary>
    [Params(DeviceProfile.Lab, DeviceProfile.Field)]
    public DeviceProfile Profile { get; set; }

    /// <summary>Builds the part and a batch of uniform drives.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var system = PhysicalSystems.Get(System);
        _device = FieldProfiles.CreateDevice(system, "bench-field", 1, Profile);
        _device.MaxDegreeOfParallelism = 1;
        _drives = BenchDrives.Uniform(Batch * system.Spec.DriveLength);

        _responses = new float[Batch * system.Spec.OutputSize];
    }

    /// <summary>One batch through the part; reported per drive.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Description = "device forward, 64-drive batch, 1 core (per drive)")]
    public void DeviceForward() => _device.Forward(_drives, _responses);
}
