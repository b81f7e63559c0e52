using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging.Abstractions;
using Edge.Tests.Shared;
using static System.StringComparison;

namespace Edge.Agent.Tests.Models;

/// <summary>Updates only move forward: the anti-rollback floor, replays, and refused packages remembered.</summary>
public sealed class ModelStoreFloorTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _store = new();

    private string Versions => Path.Combine(_store.Path, "versions");

    private ModelsOptions Options(int keep = 3, string fleet = "") => new()
    {
        Fleet = fleet,
        StoreDirectory = _store.Path,
        PublicKeyPath = packages.PublicKeyPath,
        CalibrationSetPath = packages.CalibrationPath,
        KeepVersions = keep,
        Tolerance = 0.1,
    };

    private static SimulatedDevice Simulated()
        => PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11);

    private ModelStore Open(int keep = 3, IPhysicalDevice? device = null, string fleet = "")
        => ModelStore.Open(Options(keep, fleet), device ?? Simulated(), NullLogger.Instance);

    private static Task<InstallResult> Install(ModelStore store, byte[] package)
        => store.InstallAsync(package.AsMemory(), TestContext.Current.CancellationToken);

    private string[] Files()
        => [.. Directory.GetFiles(Versions).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_downgrade_is_refused_and_nothing_is_pruned_or_changed()
    {
        using var store = Open();
        foreach (var v in new[] { 3, 4, 5 })
        {
            var result = await Install(store, packages.Package(packages.Trained, v));
            Assert.True(result.Accepted, result.Reason);
        }

        var files = Files();
        var downgrade = await Install(store, packages.Package(packages.Trained, 2));

        Assert.False(downgrade.Accepted);
        Assert.Contains("at or below this agent's floor 5", downgrade.Reason, StringComparison.Ordinal);
        Assert.Equal(5, store.ActiveVersion);
        Assert.Equal(5, store.Floor);
        Assert.Equal([5, 4, 3], store.List().Select(v => v.Version));
        Assert.Equal(files, Files());
        Assert.Empty(Directory.GetFiles(Path.Combine(_store.Path, "incoming")));
        SecurityReport.Record(
            "store-downgrade",
            "Downgrade: offer v2 to an agent with v3, v4, v5 installed (v5 active)",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method '*A_downgrade_is_refused*'",
            "refused; nothing pruned; v5 active",
            $"refused (\"{downgrade.Reason[..downgrade.Reason.IndexOf(';', Ordinal)]}\"); installed "
                + $"{string.Join(", ", store.List().Select(v => v.Version))}; active v{store.ActiveVersion}",
            !downgrade.Accepted && store.ActiveVersion == 5 && Files().SequenceEqual(files));
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_replay_of_an_installed_or_a_pruned_version_is_refused()
    {
        using var store = Open(keep: 2);
        var first = packages.Package(packages.Trained, 1);
        var second = packages.Package(packages.Trained, 2);
        Assert.True((await Install(store, first)).Accepted);
        Assert.True((await Install(store, second)).Accepted);
        Assert.True((await Install(store, packages.Package(packages.Trained, 3))).Accepted);
        Assert.Equal([3, 2], store.List().Select(v => v.Version));

        var installed = await Install(store, second);
        var pruned = await Install(store, first);

        Assert.Contains("Version 2 is at or below this agent's floor 3", installed.Reason, StringComparison.Ordinal);
        Assert.Contains("Version 1 is at or below this agent's floor 3", pruned.Reason, StringComparison.Ordinal);
        Assert.False(installed.Accepted || pruned.Accepted);
        Assert.Equal([3, 2], store.List().Select(v => v.Version));
        Assert.Equal(3, store.ActiveVersion);
        SecurityReport.Record(
            "store-replay",
            "Replay: re-offer the captured packages of v2 (installed) and v1 (pruned) to an agent at v3",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method "
                + "'*A_replay_of_an_installed_or_a_pruned*'",
            "both refused by the floor; nothing pruned",
            $"both refused (floor {store.Floor}); installed {string.Join(", ", store.List().Select(v => v.Version))}",
            !installed.Accepted && !pruned.Accepted && store.ActiveVersion == 3);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task The_floor_survives_a_rollback_a_restart_and_a_deleted_state_file()
    {
        using (var store = Open())
        {
            for (var v = 1; v <= 3; v++)
            {
                Assert.True((await Install(store, packages.Package(packages.Trained, v))).Accepted);
            }

            Assert.Equal(1, await store.RollbackAsync(1, "test", TestContext.Current.CancellationToken));
            Assert.Equal(3, store.Floor);
            Assert.Contains("floor 3", (await Install(store, packages.Package(packages.Trained, 2))).Reason, Ordinal);
        }

        using (var reopened = Open())
        {
            Assert.Equal(1, reopened.ActiveVersion);
            Assert.Equal(3, reopened.Floor);
            var replay = await Install(reopened, packages.Package(packages.Trained, 3));
            Assert.Contains("floor 3", replay.Reason, Ordinal);
        }

        // Lose both copies of the state and every package: the floor record alone still holds the line.
        File.Delete(Path.Combine(_store.Path, "state.json"));
        File.Delete(Path.Combine(_store.Path, "state.copy.json"));
        foreach (var file in Directory.GetFiles(Versions))
        {
            File.Delete(file);
        }

        using var emptied = Open();
        Assert.Null(emptied.ActiveVersion);
        Assert.Equal(3, emptied.Floor);
        var afterWipe = await Install(emptied, packages.Package(packages.Trained, 2));
        Assert.Contains("floor 3", afterWipe.Reason, Ordinal);
        SecurityReport.Record(
            "store-floor-wipe",
            "Lower the floor: delete state.json, its copy and every package, then offer an old version",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method '*The_floor_survives*'",
            "refused: the floor file keeps the floor",
            $"refused; floor {emptied.Floor} after the wipe",
            !afterWipe.Accepted && emptied.Floor == 3);
        Assert.True((await Install(emptied, packages.Package(packages.Trained, 4))).Accepted);
    }

    [Fact]
    public async Task A_corrupt_state_file_does_not_lower_the_floor()
    {
        using (var store = Open())
        {
            for (var v = 1; v <= 3; v++)
            {
                Assert.True((await Install(store, packages.Package(packages.Trained, v))).Accepted);
            }

            await store.RollbackAsync(1, "test", TestContext.Current.CancellationToken);
        }

        File.Delete(Path.Combine(Versions, "000003.edgepkg"));
        var state = Path.Combine(_store.Path, "state.json");
        await File.WriteAllTextAsync(state, "{ torn", TestContext.Current.CancellationToken);
        using var rebuilt = Open();
        Assert.Contains(rebuilt.Problems, p => p.Contains("state.json", StringComparison.Ordinal));
        Assert.Equal(3, rebuilt.Floor);
        Assert.False((await Install(rebuilt, packages.Package(packages.Trained, 3))).Accepted);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_refused_package_is_refused_again_at_once_without_touching_the_device_even_after_a_restart()
    {
        var device = new CountingDevice(Simulated());
        var worse = packages.Package(packages.Untrained, 2);
        using (var store = Open(device: device))
        {
            Assert.True((await Install(store, packages.Package(packages.Trained, 1))).Accepted);
            var first = await Install(store, worse);
            Assert.False(first.Accepted);
            Assert.Contains("below the active model 1's", first.Reason, StringComparison.Ordinal);

            var calls = device.Calls;
            var again = await Install(store, worse);

            Assert.False(again.Accepted);
            Assert.StartsWith("Version 2 was refused before: Calibration accuracy", again.Reason, Ordinal);
            Assert.Equal(calls, device.Calls);
        }

        using var reopened = Open(device: device);
        var callsBefore = device.Calls;
        var afterRestart = await Install(reopened, worse);
        Assert.Contains("refused before", afterRestart.Reason, StringComparison.Ordinal);
        Assert.Equal(callsBefore, device.Calls);
        SecurityReport.Record(
            "store-retry-refused",
            "Retry loop: re-offer a package the calibration gate refused, also after a restart",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method "
                + "'*A_refused_package_is_refused_again*'",
            "refused at once (\"refused before\"), no device call",
            $"refused before; {device.Calls - callsBefore} device calls",
            !afterRestart.Accepted && device.Calls == callsBefore);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Another_package_with_a_refused_version_number_is_refused()
    {
        var device = new CountingDevice(Simulated());
        using var store = Open(device: device);
        Assert.True((await Install(store, packages.Package(packages.Trained, 1))).Accepted);
        Assert.False((await Install(store, packages.Package(packages.Untrained, 2))).Accepted);
        var calls = device.Calls;

        var other = await Install(store, packages.Package(packages.Trained, 2));

        Assert.False(other.Accepted);
        Assert.Contains("Version 2 was already offered with other content", other.Reason, StringComparison.Ordinal);
        Assert.Equal(calls, device.Calls);
        SecurityReport.Record(
            "store-same-version",
            "Same version, other content: offer a new package under a version number that was refused",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method "
                + "'*Another_package_with_a_refused_version*'",
            "refused at once, no device call",
            $"refused (\"already offered with other content\"); {device.Calls - calls} device calls",
            !other.Accepted && device.Calls == calls);
        Assert.True((await Install(store, packages.Package(packages.Trained, 3))).Accepted);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_package_for_other_devices_is_refused_naming_both_and_one_for_the_fleet_is_accepted()
    {
        using var store = Open(fleet: "vowel-boards");

        var other = packages.Package(packages.Trained, 1, targets: new(["sim-0002"], "drums"));
        var elsewhere = await Install(store, other);
        var fleet = await Install(store, packages.Package(packages.Trained, 2, targets: new([], "vowel-boards")));

        Assert.False(elsewhere.Accepted);
        Assert.Contains("devices sim-0002 and fleet 'drums'", elsewhere.Reason, Ordinal);
        var self = $"not this device '{TrainedPackages.DeviceId}' (fleet 'vowel-boards')";
        Assert.Contains(self, elsewhere.Reason, Ordinal);
        Assert.True(fleet.Accepted, fleet.Reason);
        Assert.Equal(2, store.ActiveVersion);
        SecurityReport.Record(
            "store-foreign-target",
            "Cross-device replay: offer a signed package made for device sim-0002 (fleet drums)",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method "
                + "'*A_package_for_other_devices*'",
            "refused naming the package's targets and this device",
            $"refused: \"{elsewhere.Reason}\"",
            !elsewhere.Accepted);
    }

    public void Dispose() => _store.Dispose();
}
