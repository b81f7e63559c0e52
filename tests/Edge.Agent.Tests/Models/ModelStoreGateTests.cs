using Edge.Agent.Configuration;
using Edge.Agent.Inference;
using Edge.Agent.Models;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Models;

/// <summary>The calibration gate is deterministic for identical models and never stalls the active model.</summary>
public sealed class ModelStoreGateTests(TrainedPackages packages) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _store = new();

    private ModelStore Open(IPhysicalDevice device, int keep = 3) => ModelStore.Open(
        new ModelsOptions
        {
            StoreDirectory = _store.Path,
            PublicKeyPath = packages.PublicKeyPath,
            CalibrationSetPath = packages.CalibrationPath,
            KeepVersions = keep,
        },
        device,
        NullLogger.Instance);

    private static SimulatedDevice Noisy(ulong seed)
        => PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, seed);

    private static Task<InstallResult> Install(ModelStore store, byte[] package)
        => store.InstallAsync(package.AsMemory(), TestContext.Current.CancellationToken);

    [Fact]
    [Trait("Category", "Security")]
    public async Task The_same_model_repackaged_gets_the_same_verdict_every_time_on_a_noisy_device()
    {
        var device = new CountingDevice(Noisy(31));
        using var store = Open(device);
        Assert.True((await Install(store, packages.Package(packages.Trained, 1))).Accepted);
        var calls = device.Calls;

        var verdicts = new List<InstallResult>();
        for (var v = 2; v <= 21; v++)
        {
            verdicts.Add(await Install(store, packages.Package(packages.Trained, v)));
        }

        Assert.All(verdicts, v => Assert.True(v.Accepted, v.Reason));
        Assert.All(verdicts, v => Assert.Contains("same stages and θ", v.Reason, StringComparison.Ordinal));
        Assert.Equal(calls, device.Calls);
        Assert.Equal(21, store.ActiveVersion);
        SecurityReport.Record(
            "gate-deterministic",
            "Noisy gate: offer the same model 20 times (as v2..v21) hoping a noise draw flips the verdict",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method '*The_same_model_repackaged*'",
            "the same verdict every time",
            $"{verdicts.Count(v => v.Accepted)} of {verdicts.Count} accepted (identical stages: no calibration run)",
            verdicts.All(v => v.Accepted));
    }

    [Fact]
    public async Task Without_the_identical_stages_shortcut_the_paired_test_still_accepts_the_same_model_every_time()
    {
        var device = Noisy(11);
        var gate = new CandidateValidator(CalibrationSet.Load(packages.CalibrationPath), 3, 0.02, 0.05);
        using var active = new ActiveModel();
        var first = ModelPackageReader.Read(packages.Package(packages.Trained, 1), packages.Trust);
        active.Swap(new HybridModel(first, device));

        var verdicts = new List<GateVerdict>();
        for (var i = 0; i < 20; i++)
        {
            var repackaged = ModelPackageReader.Read(packages.Package(packages.Trained, 2), packages.Trust);
            using var candidate = new HybridModel(repackaged, device);
            using var lease = active.Acquire();
            verdicts.Add(await gate.CompareAsync(candidate, lease, TestContext.Current.CancellationToken));
        }

        Assert.All(verdicts, v => Assert.True(v.Accepted, v.Reason));
        Assert.All(verdicts, v => Assert.Contains("sign test", v.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clearly_worse_model_is_refused_with_the_paired_figures_and_the_sign_test()
    {
        using var store = Open(Noisy(11));
        Assert.True((await Install(store, packages.Package(packages.Trained, 1))).Accepted);

        var worse = await Install(store, packages.Package(packages.Untrained, 2));

        Assert.False(worse.Accepted);
        Assert.Contains("significantly (sign test:", worse.Reason, StringComparison.Ordinal);
        Assert.True(worse.CandidateAccuracy < worse.ActiveAccuracy - 0.02, worse.Reason);
        Assert.Equal(1, store.ActiveVersion);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_classification_completes_while_a_candidate_is_being_validated()
    {
        var device = new GatedDevice(Noisy(11));
        using var store = Open(device);
        Assert.True((await Install(store, packages.Package(packages.Trained, 1))).Accepted);
        var features = packages.Task.Test.Row(0).ToArray();

        device.Arm();
        var install = Install(store, packages.Package(packages.Untrained, 2));
        await device.Held.WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.False(install.IsCompleted);

        var token = TestContext.Current.CancellationToken;
        var (_, version) = await store.ClassifyAsync(features, cancellationToken: token).WaitAsync(Patience, token);

        Assert.Equal(1, version);
        Assert.False(install.IsCompleted);
        SecurityReport.Record(
            "store-install-blocks",
            "Stall inference with an offer: classify while a candidate's validation is held on the device",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method "
                + "'*A_classification_completes_while*'",
            "the classification completes during the validation",
            $"completed by v{version} while the install was pending",
            version == 1);
        device.Release();
        Assert.False((await install).Accepted);
    }

    public void Dispose() => _store.Dispose();
}
