using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.StoreFaults;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Models;

/// <summary>
/// A kill or a power loss after every write step of an install and of a rollback: the reopened store always boots the
/// old or the new model, the floor never goes down, and nothing half-written is left.
/// </summary>
public sealed class StoreCrashTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _work = new();

    private ModelStore Open(string folder, StoreFileSystem? files) => ModelStore.Open(
        new ModelsOptions
        {
            StoreDirectory = folder,
            PublicKeyPath = packages.PublicKeyPath,
            CalibrationSetPath = packages.CalibrationPath,
            KeepVersions = 2,
            Tolerance = 0.1,
        },
        PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11),
        NullLogger.Instance,
        fileSystem: files);

    private async Task<string> BaseStore(params int[] versions)
    {
        var folder = _work.File("base");
        using var store = Open(folder, null);
        foreach (var version in versions)
        {
            var result = await store.InstallAsync(packages.Package(packages.Trained, version), Token);
            Assert.True(result.Accepted, result.Reason);
        }

        return folder;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<string?> Serves(ModelStore store)
    {
        try
        {
            var (result, _) = await store.ClassifyAsync(packages.Task.Test.Row(0).ToArray(), cancellationToken: Token);
            return result.Confidence is > 0 and <= 1 ? null : $"confidence {result.Confidence}";
        }
        catch (Exception e) when (e is ModelStoreException or IOException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    [Fact]
    public async Task An_install_stopped_after_any_write_step_boots_the_old_or_the_new_model()
    {
        // v1 and v2 kept; installing v3 also prunes v1, so the drill crosses the prune too.
        var baseStore = await BaseStore(1, 2);
        var v3 = packages.Package(packages.Trained, 3);

        var outcomes = await StoreCrashDrill.RunAsync(
            baseStore, _work.File("runs"), Open, store => store.InstallAsync(v3, Token), Serves);

        Assert.All(outcomes, o => Assert.True(o.Held, $"{o.Kind} after {o.StepsDone} ({o.LastStep}): "
            + string.Join("; ", o.Violations)));
        var steps = outcomes.Max(o => o.StepsDone);
        Assert.True(steps >= 12, $"only {steps} write steps: the install is not written durably");
        foreach (var kind in new[] { CrashKind.Kill, CrashKind.PowerLoss })
        {
            var runs = outcomes.Where(o => o.Kind == kind).ToList();
            Assert.Equal(steps + 1, runs.Count);
            Assert.Equal(2, runs[0].ActiveAfter);
            Assert.Equal(3, runs[^1].ActiveAfter);

            // Once the new state is committed every later stop boots v3: there is exactly one switch-over point.
            var firstNew = runs.FindIndex(o => o.ActiveAfter == 3);
            Assert.All(runs.Skip(firstNew), o => Assert.Equal(3, o.ActiveAfter));
            Assert.All(runs, o => Assert.InRange(o.FloorAfter, 2, 3));
        }

        // The package must be durable before the state that lists it: a power loss right after the state's rename
        // would otherwise boot nothing.
        var powerLoss = outcomes.Where(o => o.Kind == CrashKind.PowerLoss).ToList();
        var switchStep = powerLoss.First(o => o.ActiveAfter == 3).LastStep;
        Assert.StartsWith("flush folder", switchStep, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_install_stopped_after_any_write_step_boots_nothing_or_the_new_model()
    {
        var baseStore = await BaseStore();
        var v1 = packages.Package(packages.Trained, 1);

        var outcomes = await StoreCrashDrill.RunAsync(
            baseStore, _work.File("runs"), Open, store => store.InstallAsync(v1, Token), Serves);

        Assert.All(outcomes, o => Assert.True(o.Held, $"{o.Kind} after {o.StepsDone} ({o.LastStep}): "
            + string.Join("; ", o.Violations)));
        Assert.Contains(outcomes, o => o.ActiveAfter is null);
        Assert.Contains(outcomes, o => o.ActiveAfter == 1 && o.StepsDone < outcomes.Max(x => x.StepsDone));
    }

    [Fact]
    public async Task A_rollback_stopped_after_any_write_step_boots_the_old_or_the_rolled_back_model()
    {
        var baseStore = await BaseStore(1, 2);

        var outcomes = await StoreCrashDrill.RunAsync(
            baseStore, _work.File("runs"), Open, store => store.RollbackAsync(1, "drill", Token), Serves);

        Assert.All(outcomes, o => Assert.True(o.Held, $"{o.Kind} after {o.StepsDone} ({o.LastStep}): "
            + string.Join("; ", o.Violations)));
        Assert.Contains(outcomes, o => o.ActiveAfter == 2);
        Assert.Contains(outcomes, o => o.ActiveAfter == 1);
        Assert.All(outcomes, o => Assert.Equal(2, o.FloorAfter));
    }

    [Fact]
    public async Task The_drill_catches_a_disk_that_loses_folder_flushes()
    {
        var baseStore = await BaseStore(1, 2);
        var v3 = packages.Package(packages.Trained, 3);

        var outcomes = await StoreCrashDrill.RunAsync(
            baseStore,
            _work.File("runs"),
            Open,
            store => store.InstallAsync(v3, Token),
            Serves,
            disk => disk.LosesFolderFlushes = true);

        // A kill keeps what the kernel holds, so only the power losses break; the last one loses the whole install.
        Assert.All(outcomes.Where(o => o.Kind == CrashKind.Kill), o => Assert.True(o.Held));
        var lost = Assert.Single(outcomes, o => !o.Held);
        Assert.Equal(CrashKind.PowerLoss, lost.Kind);
        Assert.Equal(outcomes.Max(o => o.StepsDone), lost.StepsDone);
        var expected = "booted v2 active of [2, 1]; expected v3 active of [3, 2]";
        Assert.Contains(expected, lost.Violations[0], StringComparison.Ordinal);
    }

    public void Dispose() => _work.Dispose();
}
