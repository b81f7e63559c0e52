using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging.Abstractions;
using static System.StringComparison;

namespace Edge.Agent.Tests.Models;

/// <summary>
/// Opening a store that a crash, a bad file or an operator left damaged: every repair is made, saved, reported and
/// remembered; the active version survives (a rollback is never undone) and the floor never goes down.
/// </summary>
public sealed class StoreRecoveryTests(TrainedPackages packages) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 6, 30, 15, TimeSpan.Zero);
    private readonly TempDirectory _store = new();

    private string State => _store.File("state.json");

    private string Copy => _store.File("state.copy.json");

    private string Versions => _store.File("versions");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ModelStore Open() => ModelStore.Open(
        new ModelsOptions
        {
            StoreDirectory = _store.Path,
            PublicKeyPath = packages.PublicKeyPath,
            CalibrationSetPath = packages.CalibrationPath,
            Tolerance = 0.1,
        },
        PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11),
        NullLogger.Instance,
        new FixedClock(Now));

    private async Task InstallAsync(params int[] versions)
    {
        using var store = Open();
        foreach (var version in versions)
        {
            var result = await store.InstallAsync(packages.Package(packages.Trained, version), Token);
            Assert.True(result.Accepted, result.Reason);
        }
    }

    private async Task RollBackToAsync(int version)
    {
        using var store = Open();
        Assert.Equal(version, await store.RollbackAsync(version, "test", Token));
    }

    private static void AssertClean(ModelStore store)
        => Assert.True(store.Problems.Count == 0, string.Join(" | ", store.Problems));

    [Fact]
    public async Task A_null_state_and_copy_are_set_aside_and_the_store_is_rebuilt_saved_and_reported()
    {
        await InstallAsync(1, 2);
        await File.WriteAllTextAsync(State, "null", Token);
        await File.WriteAllTextAsync(Copy, "null", Token);

        using (var store = Open())
        {
            Assert.Contains(store.Problems, p => p.Contains("state.json: holds JSON null; set aside as "
                + "state.json.corrupt-20261207T063015Z", Ordinal));
            Assert.Contains(store.Problems, p => p.Contains("state.copy.json: holds JSON null", Ordinal));
            Assert.Contains(store.Problems, p => p.Contains("rebuilt from the 2 verified package(s)", Ordinal));
            Assert.Equal(2, store.ActiveVersion);
            Assert.Equal([2, 1], store.List().Select(v => v.Version));
            Assert.Equal(2, store.Floor);
        }

        Assert.Equal("null", await File.ReadAllTextAsync(_store.File("state.json.corrupt-20261207T063015Z"), Token));
        using var reopened = Open();
        AssertClean(reopened);
        Assert.Equal(2, reopened.ActiveVersion);
        Assert.Contains(reopened.Recoveries, r => r.Problem.Contains("rebuilt", Ordinal) && r.At == Now);
    }

    [Fact]
    public async Task A_missing_state_is_restored_from_its_copy_with_nothing_lost()
    {
        await InstallAsync(1, 2);
        await RollBackToAsync(1);
        File.Delete(State);

        using (var store = Open())
        {
            var problem = Assert.Single(store.Problems);
            Assert.Contains("state.json: missing; restored from state.copy.json", problem, Ordinal);
            Assert.Equal(1, store.ActiveVersion);
            Assert.All(store.List(), v => Assert.False(double.IsNaN(v.CalibrationAccuracy)));
        }

        using var reopened = Open();
        AssertClean(reopened);
        Assert.True(File.Exists(State));
    }

    [Fact]
    public async Task Rebuilding_the_state_never_undoes_a_rollback()
    {
        await InstallAsync(1, 2, 3);
        await RollBackToAsync(2);
        await File.WriteAllTextAsync(State, "{ torn", Token);
        File.Delete(Copy);

        using (var store = Open())
        {
            Assert.Equal(2, store.ActiveVersion);
            Assert.Contains(store.Problems, p => p.Contains("the version the floor record names as active", Ordinal));
            Assert.Equal(3, store.Floor);
            Assert.False((await store.InstallAsync(packages.Package(packages.Trained, 3), Token)).Accepted);
        }

        // With the floor record gone too, nothing says which was active: the oldest, never the rolled-back newest.
        File.Delete(State);
        File.Delete(Copy);
        File.Delete(_store.File("floor"));
        using var rebuilt = Open();
        Assert.Equal(1, rebuilt.ActiveVersion);
        Assert.Contains(rebuilt.Problems, p => p.Contains("'edge-agent models rollback --to <version>'", Ordinal));
        Assert.Equal(3, rebuilt.Floor);
    }

    [Fact]
    public async Task Temporary_files_and_unlisted_or_corrupt_packages_are_removed_or_set_aside_and_reported()
    {
        await InstallAsync(1);
        string[] leftovers =
        [
            _store.File("incoming/0f1e2d3c.tmp"),
            _store.File(".state.json.0f1e2d3c.tmp"),
            Path.Combine(Versions, ".000002.edgepkg.0f1e2d3c.tmp"),
        ];
        foreach (var leftover in leftovers)
        {
            await File.WriteAllBytesAsync(leftover, [1, 2, 3], Token);
        }

        var notOurs = _store.File("notes.tmp");
        await File.WriteAllTextAsync(notOurs, "another program's file in a shared folder", Token);
        var unlisted = Path.Combine(Versions, "000002.edgepkg");
        await File.WriteAllBytesAsync(unlisted, packages.Package(packages.Trained, 2), Token);
        var junk = Path.Combine(Versions, "000007.edgepkg");
        await File.WriteAllBytesAsync(junk, [0x50, 0x4b, 0, 0], Token);

        using (var store = Open())
        {
            foreach (var leftover in leftovers)
            {
                Assert.Contains(store.Problems, p => p.StartsWith($"{leftover}: a temporary file", Ordinal));
                Assert.False(File.Exists(leftover), leftover);
            }

            var notListed = $"{unlisted}: version 2 is not in the store's state";
            Assert.Contains(store.Problems, p => p.StartsWith(notListed, Ordinal));
            Assert.False(File.Exists(unlisted));
            var setAside = "The file set aside as 000007.edgepkg.corrupt-20261207T063015Z.";
            Assert.Contains(store.Problems, p => p.StartsWith(junk, Ordinal) && p.EndsWith(setAside, Ordinal));
            Assert.True(File.Exists(junk + ".corrupt-20261207T063015Z"));
            Assert.Equal(1, store.ActiveVersion);
            Assert.Equal(5, store.Problems.Count);
            Assert.True(File.Exists(notOurs));
        }

        using var reopened = Open();
        AssertClean(reopened);
        Assert.Equal(5, reopened.Recoveries.Count);
    }

    [Fact]
    public async Task A_store_from_before_the_state_copy_opens_cleanly_and_gains_the_copy()
    {
        await InstallAsync(1);
        File.Delete(Copy);
        await File.WriteAllTextAsync(_store.File("floor"), "1", Token);

        using (var store = Open())
        {
            AssertClean(store);
            Assert.Equal(1, store.ActiveVersion);
        }

        Assert.True(File.Exists(Copy));
        var record = await File.ReadAllTextAsync(_store.File("floor"), Token);
        Assert.StartsWith("1\nactive 1\ngeneration ", record, Ordinal);
    }

    [Fact]
    public async Task An_unreadable_floor_record_is_reported_and_rewritten_without_lowering_the_floor()
    {
        await InstallAsync(1, 2);
        await RollBackToAsync(1);
        await File.WriteAllTextAsync(_store.File("floor"), "garbage\n", Token);

        using (var store = Open())
        {
            Assert.Contains(store.Problems, p => p.Contains("floor: unreadable", Ordinal));
            Assert.Equal(2, store.Floor);
            Assert.Equal(1, store.ActiveVersion);
        }

        Assert.StartsWith("2\nactive 1\n", await File.ReadAllTextAsync(_store.File("floor"), Token), Ordinal);
    }

    public void Dispose() => _store.Dispose();
}

/// <summary>A clock that always reads the same instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
