using Edge.Agent.Models;
using Edge.Domain.Models;

namespace Edge.Agent.Tests.Models;

/// <summary>The store's parts alone: the sign test, pruning by version number, the spool's cap.</summary>
public sealed class StorePartsTests : IDisposable
{
    private readonly TempDirectory _store = new();

    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(0, 5, 1.0)]
    [InlineData(5, 0, 0.03125)]
    [InlineData(9, 1, 0.0107421875)]
    [InlineData(5, 5, 0.623046875)]
    public void The_sign_test_gives_the_exact_binomial_tail(int losses, int wins, double expected)
        => Assert.Equal(expected, SignTest.PValueWorse(losses, wins), 9);

    [Fact]
    public void The_sign_test_stays_finite_for_thousands_of_pairs()
    {
        var p = SignTest.PValueWorse(1100, 900);
        Assert.InRange(p, 1e-7, 1e-4);
        Assert.InRange(SignTest.PValueWorse(1000, 1000), 0.5, 0.52);
    }

    [Fact]
    public void Pruning_keeps_the_active_version_and_the_highest_version_numbers()
    {
        var state = new StoreState();
        foreach (var v in new[] { 4, 1, 5, 2, 3 })
        {
            state.Installed.Add(new InstalledVersion(v, $"{v}", 1, DateTimeOffset.UnixEpoch, ""));
        }

        state.ActivationStack.Add(1);
        Assert.Equal([2, 3], VersionPolicy.PruneVictims(state, 3).Select(v => v.Version));
    }

    [Fact]
    public void The_refusal_memory_keeps_only_the_newest()
    {
        var state = new StoreState();
        for (var i = 0; i < VersionPolicy.MaxRefused + 10; i++)
        {
            VersionPolicy.Remember(state, new RefusedPackage(i + 1, $"{i:x64}", "worse", DateTimeOffset.UnixEpoch));
        }

        Assert.Equal(VersionPolicy.MaxRefused, state.Refused.Count);
        Assert.Equal(11, state.Refused[0].Version);
    }

    [Fact]
    public async Task The_spool_refuses_a_package_over_its_cap_and_leaves_nothing_behind()
    {
        var incoming = Path.Combine(_store.Path, "incoming");
        var spool = new OfferSpool(StoreFileSystem.Physical, incoming, maxBytes: 1000);

        Assert.Throws<ModelPackageException>(() => spool.Spool(new byte[1001]));
        var tooLong = new MemoryStream(new byte[5000]);
        await Assert.ThrowsAsync<ModelPackageException>(
            () => spool.SpoolAsync(tooLong, TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(incoming));

        using (var spooled = spool.Spool(new byte[1000]))
        {
            Assert.Equal(1000, new FileInfo(spooled.Path).Length);
        }

        Assert.Empty(Directory.GetFiles(incoming));
    }

    public void Dispose() => _store.Dispose();
}
