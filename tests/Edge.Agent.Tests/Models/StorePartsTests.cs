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

    [Fact]
    public void The_real_file_system_flushes_a_folder_and_names_one_it_cannot_open()
    {
        StoreFileSystem.Physical.FlushDirectory(_store.Path);
        var missing = _store.File("missing");

        var error = Assert.Throws<IOException>(() => StoreFileSystem.Physical.FlushDirectory(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.True(StoreFileSystem.Physical.AvailableBytes(_store.Path) > 0);
    }

    [Theory]
    [InlineData(28, true)]
    [InlineData(122, true)]
    [InlineData(unchecked((int)0x80070070), true)]
    [InlineData(5, false)]
    [InlineData(13, false)]
    public void A_full_disk_is_recognised_by_its_error_code(int code, bool full)
        => Assert.Equal(full, StoreDiskSpace.IsFull(new IOException("write failed", code)));

    public void Dispose() => _store.Dispose();
}
