using System.Diagnostics;
using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.StoreFaults;
using Microsoft.Extensions.Logging.Abstractions;
using static System.StringComparison;

namespace Edge.Agent.Tests.Models;

/// <summary>
/// A full disk under the model store: the offer is refused naming the disk space, the active model keeps serving,
/// nothing is corrupted or left behind, and the same offer succeeds once space returns.
/// </summary>
public sealed class StoreDiskFullTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _folder = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ModelStore Open(string store, StoreFileSystem? files = null) => ModelStore.Open(
        new ModelsOptions
        {
            StoreDirectory = store,
            PublicKeyPath = packages.PublicKeyPath,
            CalibrationSetPath = packages.CalibrationPath,
            Tolerance = 0.1,
        },
        PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11),
        NullLogger.Instance,
        fileSystem: files);

    private async Task<string> StoreWith(string store, params int[] versions)
    {
        using var opened = Open(store);
        foreach (var version in versions)
        {
            Assert.True((await opened.InstallAsync(packages.Package(packages.Trained, version), Token)).Accepted);
        }

        return store;
    }

    private async Task AssertServes(ModelStore store, int version)
    {
        Assert.Equal(version, store.ActiveVersion);
        var (_, served) = await store.ClassifyAsync(packages.Task.Test.Row(1).ToArray(), cancellationToken: Token);
        Assert.Equal(version, served);
    }

    private static void AssertNothingLeft(string store, params string[] packageFiles)
    {
        Assert.Empty(Directory.GetFiles(store, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(packageFiles, Directory.GetFiles(Path.Combine(store, "versions")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_offer_the_disk_has_no_room_for_is_refused_before_anything_is_written()
    {
        var store = await StoreWith(_folder.File("store"), 1);
        var files = new PowerLossFileSystem(store) { ReportedFreeBytes = 1000 };
        using var opened = Open(store, files);
        var announced = new List<string>();
        opened.ProblemReported += announced.Add;

        var refused = await opened.InstallAsync(packages.Package(packages.Trained, 2), Token);

        Assert.False(refused.Accepted);
        Assert.Contains("Not enough disk space for the model store", refused.Reason, Ordinal);
        Assert.Contains("only 1000 are free", refused.Reason, Ordinal);
        Assert.Equal([refused.Reason], announced);
        Assert.Empty(files.Steps);
        await AssertServes(opened, 1);

        files.ReportedFreeBytes = null;
        Assert.True((await opened.InstallAsync(packages.Package(packages.Trained, 2), Token)).Accepted);
        await AssertServes(opened, 2);
    }

    [Theory]
    [InlineData(false, false, "spooling the package")]
    [InlineData(false, true, "spooling the package")]
    [InlineData(true, false, "installing version 2")]
    [InlineData(true, true, "installing version 2")]
    public async Task A_write_that_runs_out_of_space_refuses_the_offer_and_the_store_recovers_when_space_returns(
        bool roomForThePackage, bool fromAStream, string during)
    {
        var store = await StoreWith(_folder.File("store"), 1);
        var offer = packages.Package(packages.Trained, 2);
        var files = new PowerLossFileSystem(store) { WriteBudget = roomForThePackage ? offer.Length + 100 : 100 };
        using (var opened = Open(store, files))
        {
            var refused = fromAStream
                ? await opened.InstallAsync(new MemoryStream(offer), Token)
                : await opened.InstallAsync(offer, Token);

            Assert.False(refused.Accepted);
            var expected = $"No disk space left for the model store '{store}' while {during}";
            Assert.Contains(expected, refused.Reason, Ordinal);
            Assert.Equal(roomForThePackage, files.Steps.Any(s => s.EndsWith("→ versions/000002.edgepkg", Ordinal)));
            Assert.Contains(refused.Reason, opened.Problems);
            await AssertServes(opened, 1);
            AssertNothingLeft(store, "000001.edgepkg");

            // Space returns: the same offer goes through without a restart.
            files.WriteBudget = null;
            Assert.True((await opened.InstallAsync(offer, Token)).Accepted);
            await AssertServes(opened, 2);
        }

        using var reopened = Open(store);
        Assert.Empty(reopened.Problems);
        await AssertServes(reopened, 2);
    }

    [Fact]
    public async Task A_rollback_the_disk_cannot_save_changes_nothing()
    {
        var store = await StoreWith(_folder.File("store"), 1, 2);
        var files = new PowerLossFileSystem(store) { WriteBudget = 0 };
        using (var opened = Open(store, files))
        {
            var error = await Assert.ThrowsAsync<ModelStoreException>(() => opened.RollbackAsync(1, "test", Token));
            Assert.Contains("could not be saved: no disk space left", error.Message, Ordinal);
            await AssertServes(opened, 2);
        }

        using var reopened = Open(store);
        Assert.Empty(reopened.Problems);
        Assert.Equal(2, reopened.ActiveVersion);
    }

    [Fact]
    public async Task On_a_real_full_tmpfs_the_offer_is_refused_and_accepted_once_space_is_freed()
    {
        var offer = packages.Package(packages.Trained, 2);
        var mount = _folder.File("tmpfs");
        Directory.CreateDirectory(mount);
        var sizeKiB = ((2 * offer.Length) + (640 * 1024)) / 1024;
        if (!OperatingSystem.IsLinux() || Run("mount", "-t", "tmpfs", "-o", $"size={sizeKiB}k", "tmpfs", mount) != 0)
        {
            Assert.Skip("mounting a tmpfs needs Linux and root");
        }

        try
        {
            var store = await StoreWith(Path.Combine(mount, "store"), 1);
            var filler = Path.Combine(mount, "filler");
            FillDisk(filler);

            using (var opened = Open(store))
            {
                var early = await opened.InstallAsync(offer, Token);
                Assert.Contains("Not enough disk space for the model store", early.Reason, Ordinal);
                await AssertServes(opened, 1);
            }

            // Blind to the free space, the store finds out from the kernel's ENOSPC in the middle of the write.
            using (var opened = Open(store, new BlindToFreeSpace()))
            {
                var refused = await opened.InstallAsync(offer, Token);
                Assert.False(refused.Accepted);
                Assert.Contains("No disk space left for the model store", refused.Reason, Ordinal);
                Assert.Contains("No space left on device", refused.Reason, Ordinal);
                await AssertServes(opened, 1);
                AssertNothingLeft(store, "000001.edgepkg");
            }

            File.Delete(filler);
            using var freed = Open(store);
            Assert.Empty(freed.Problems);
            Assert.True((await freed.InstallAsync(offer, Token)).Accepted);
            await AssertServes(freed, 2);
        }
        finally
        {
            Assert.Equal(0, Run("umount", mount));
        }
    }

    public void Dispose() => _folder.Dispose();

    private static void FillDisk(string path)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException e) when (e.HResult == PowerLossFileSystem.NoSpaceError)
        {
            // Full.
        }
    }

    private static int Run(string program, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    /// <summary>The real disk, except that the free space is unknown, so only a failing write reveals a full disk.
    /// </summary>
    private sealed class BlindToFreeSpace : StoreFileSystem
    {
        public override Stream CreateNew(string path) => Physical.CreateNew(path);

        public override void FlushToDisk(Stream file, string path) => Physical.FlushToDisk(file, path);

        public override void Move(string source, string destination) => Physical.Move(source, destination);

        public override void Delete(string path) => Physical.Delete(path);

        public override void FlushDirectory(string directory) => Physical.FlushDirectory(directory);

        public override long? AvailableBytes(string directory) => null;
    }
}
