using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Edge.Trainer.Export;
using Edge.Trainer.Training;

namespace Edge.Benchmarks;

/// <summary>The electronic vowel PNN packaged, verified and loaded on a device whose forward costs nothing
/// measurable.</summary>
internal static class HybridModelFactory
{
    public static HybridModel Create()
    {
        var system = PhysicalSystems.Get("electronic");
        var trainerModel = PnnArchitectures.ForSystem(system.Name, system.CreateDevice("bench", 1), 12, 7, maxBatch: 1,
            seed: 1);
        using var key = PackageSigning.CreateKey();
        using var package = new MemoryStream();
        ModelPackager.Write(package, trainerModel, twin: null,
            new PackageMetadata(1, "vowels", ["ae", "ah", "aw", "uw", "er", "iy", "ih"], [0],
                "bench") { Targets = new(["bench"]) }, key);
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
        var verified = ModelPackageReader.Read(package.ToArray(), trust);
        return new HybridModel(verified, new FreeDevice(system.Spec));
    }

    /// <summary>Answers at once with the drive's first values, so only the agent's own software is timed.</summary>
    private sealed class FreeDevice(LayerSpec spec) : IPhysicalDevice
    {
        public LayerSpec Spec => spec;

        public string DeviceId => "free";

        public ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
            CancellationToken cancellationToken = default)
        {
            drives.Span[..responses.Length].CopyTo(responses.Span);
            return ValueTask.CompletedTask;
        }
    }
}
