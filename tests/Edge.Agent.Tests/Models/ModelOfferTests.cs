using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Models;

/// <summary>Offers arriving over MQTT reach the model store: verified, validated, installed or refused with the
/// reason.</summary>
public sealed class ModelOfferTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _store = new();

    [Fact]
    public async Task A_signed_good_package_is_installed_and_a_tampered_or_worse_one_is_refused_with_the_reason()
    {
        var options = new ModelsOptions
        {
            StoreDirectory = _store.Path,
            PublicKeyPath = packages.PublicKeyPath,
            CalibrationSetPath = packages.CalibrationPath,
            Tolerance = 0.1,
        };
        var device = PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11);
        using var store = ModelStore.Open(options, device, NullLogger.Instance);
        var handler = new ModelStoreOfferHandler(store);

        var good = await handler.HandleOfferAsync(new ModelOffer(Guid.NewGuid(), packages.Package(packages.Trained, 1)),
            TestContext.Current.CancellationToken);
        Assert.True(good.Accepted, good.Reason);
        Assert.Equal(1, store.ActiveVersion);

        var tampered = packages.Package(packages.Trained, 2);
        tampered[tampered.Length / 2] ^= 0x40;
        var refused = await handler.HandleOfferAsync(new ModelOffer(Guid.NewGuid(), tampered),
            TestContext.Current.CancellationToken);
        Assert.False(refused.Accepted);
        Assert.False(string.IsNullOrWhiteSpace(refused.Reason));

        var worse = await handler.HandleOfferAsync(new ModelOffer(Guid.NewGuid(),
            packages.Package(packages.Untrained, 3)), TestContext.Current.CancellationToken);
        Assert.False(worse.Accepted);
        Assert.Contains("below the active model 1's", worse.Reason, StringComparison.Ordinal);
        Assert.Equal(1, store.ActiveVersion);
    }

    public void Dispose() => _store.Dispose();
}
