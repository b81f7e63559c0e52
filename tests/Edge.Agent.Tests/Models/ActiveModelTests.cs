using Edge.Agent.Inference;
using Edge.Agent.Models;
using Edge.Domain.Models;
using Edge.Domain.Simulation;

namespace Edge.Agent.Tests.Models;

/// <summary>The active model holder: a swap never pulls a model from under a classification still using it.</summary>
public sealed class ActiveModelTests(TrainedPackages packages)
{
    private HybridModel Model(int version)
    {
        var device = PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11);
        var package = ModelPackageReader.Read(packages.Package(packages.Trained, version), packages.Trust);
        return new HybridModel(package, device);
    }

    [Fact]
    public async Task A_lease_taken_before_a_swap_keeps_classifying_with_its_model()
    {
        var token = TestContext.Current.CancellationToken;
        var features = packages.Task.Test.Row(0).ToArray();
        using var active = new ActiveModel();
        Assert.Null(active.Acquire());
        active.Swap(Model(1));

        using (var old = active.Acquire()!)
        {
            active.Swap(Model(2));
            Assert.Equal(2, active.Manifest!.ModelVersion);
            var result = await old.ClassifyAsync(features, token);
            Assert.Equal(1, old.Version);
            Assert.InRange(result.Confidence, 0, 1);
        }

        using var current = active.Acquire()!;
        Assert.Equal(2, current.Version);
    }

    [Fact]
    public async Task A_model_is_released_only_when_its_last_user_is_done()
    {
        var token = TestContext.Current.CancellationToken;
        var features = packages.Task.Test.Row(0).ToArray();
        var slot = new ModelSlot(Model(1));
        slot.AddReference();

        slot.Release();
        await slot.ClassifyAsync(features, token);

        slot.Release();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => slot.ClassifyAsync(features, token));
    }
}
