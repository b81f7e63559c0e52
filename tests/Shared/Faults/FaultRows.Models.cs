using System.Globalization;
using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.StoreFaults;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Shared.Faults;

/// <summary>The model-store rows: installs interrupted, a corrupt state file, a full disk under the store.</summary>
public static partial class FaultRows
{
    private static string StoreFolder(FaultScene scene) => Path.Combine(scene.Agents[0].Folder, "store");

    private static async Task<FaultModels> UseModelsAsync(FaultScene scene)
    {
        var models = await FaultModels.GetAsync([.. scene.Agents.Select(a => a.DeviceId)]).ConfigureAwait(false);
        foreach (var (name, value) in models.AgentEnvironment(StoreFolder(scene)))
        {
            scene.Agents[0].Set(name, value);
        }

        return models;
    }

    private static readonly SemaphoreSlim InstalledGate = new(1, 1);
    private static readonly Dictionary<int, string> InstalledStores = [];

    /// <summary>
    /// Gives the scene's agent a store with v1…v<paramref name="last"/> installed by
    /// <c>edge-agent models install</c>, as an operator does before the service starts. The installs run once per
    /// process into a folder of their own and each scene gets a copy (<c>cp -a</c>), as the certificates do: they are
    /// the row's set-up, not its fault, and two agent process starts per repetition cost the bench seconds each on a
    /// loaded machine.
    /// </summary>
    private static async Task InstallThroughAsync(FaultScene scene, FaultModels models, int last)
    {
        string made;
        await InstalledGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!InstalledStores.TryGetValue(last, out made!))
            {
                made = Path.Combine(Directory.CreateTempSubdirectory("edge-fault-store-").FullName, "store");
                var agent = scene.Agents[0];
                agent.Set("EDGE_MODELS__STOREDIRECTORY", made);
                for (var version = 1; version <= last; version++)
                {
                    using var install = agent.StartCommand(["models", "install", models.Package(version)]);
                    if (!await install.WaitForExitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false)
                        || install.ExitCode != 0)
                    {
                        throw new InvalidOperationException(
                            $"edge-agent models install v{version} failed:\n{install.Tail()}");
                    }
                }

                agent.Set("EDGE_MODELS__STOREDIRECTORY", StoreFolder(scene));
                InstalledStores[last] = made;
            }
        }
        finally
        {
            InstalledGate.Release();
        }

        // "made/." copies the store's contents, into a mounted volume as well as into a folder not yet there.
        await ShippedBrokerFiles.RunAsync("cp", "-a", made + "/.", StoreFolder(scene)).ConfigureAwait(false);
    }

    // edge-trainer publish: the offer over MQTT and the agent's verdict; returns the exit code and its last words.
    private static async Task<(int ExitCode, string Said)> PublishAsync(
        FaultScene scene, FaultModels models, int version)
    {
        using var publish = scene.StartTrainerCommand(["publish", "--package", models.Package(version),
            "--device-id", scene.Agents[0].DeviceId, "--timeout", "60"]);
        if (!await publish.WaitForExitAsync(TimeSpan.FromSeconds(90)).ConfigureAwait(false))
        {
            return (-1, "no exit in 90 s");
        }

        return (publish.ExitCode, publish.Tail(3).ReplaceLineEndings(" "));
    }

    private static async Task DrillAndInstallAsync(FaultScene scene)
    {
        var models = await UseModelsAsync(scene).ConfigureAwait(false);
        var options = new Func<string, ModelsOptions>(folder => new ModelsOptions
        {
            StoreDirectory = folder,
            PublicKeyPath = models.PublicKey,
            CalibrationSetPath = models.Calibration,
            KeepVersions = 2,
            Tolerance = 0.1,
        });
        var device = PhysicalSystems.Get(FaultAgent.System).CreateDevice(scene.Agents[0].DeviceId, 11);
        ModelStore Open(string folder, StoreFileSystem? files) =>
            ModelStore.Open(options(folder), device, NullLogger.Instance, fileSystem: files);
        var drill = Path.Combine(scene.Folder, "drill");
        var baseStore = Path.Combine(drill, "base");
        using (var store = Open(baseStore, null))
        {
            foreach (var version in new[] { 1, 2 })
            {
                await using var package = File.OpenRead(models.Package(version));
                var installed = await store.InstallAsync(package).ConfigureAwait(false);
                if (!installed.Accepted)
                {
                    throw new InvalidOperationException(
                        $"the drill's base store refused v{version}: {installed.Reason}");
                }
            }
        }

        var features = (await File.ReadAllLinesAsync(models.Calibration).ConfigureAwait(false))[1].Split(',')[1..]
            .Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var outcomes = await StoreCrashDrill.RunAsync(
            baseStore,
            Path.Combine(drill, "runs"),
            Open,
            async store =>
            {
                await using var package = File.OpenRead(models.Package(3));
                await store.InstallAsync(package).ConfigureAwait(false);
            },
            async store =>
            {
                try
                {
                    var (result, _) = await store.ClassifyAsync(features).ConfigureAwait(false);
                    return result.Confidence is > 0 and <= 1 ? null : $"confidence {result.Confidence}";
                }
                catch (Exception e) when (e is ModelStoreException or IOException or InvalidOperationException)
                {
                    return e.Message;
                }
            }).ConfigureAwait(false);
        scene.Violations.AddRange(outcomes.Where(o => !o.Held)
            .Select(o => $"{o.Kind} after step {o.StepsDone} ({o.LastStep}): {string.Join("; ", o.Violations)}"));
        var steps = outcomes.Max(o => o.StepsDone);
        scene.Notes.Add($"drill: {outcomes.Count} interrupted installs (kill and power loss after each of {steps} "
            + $"write steps), {outcomes.Count(o => o.Held)} booted v2 or v3 and served");
        await InstallThroughAsync(scene, models, 2).ConfigureAwait(false);
    }

    private static async Task KillMidInstallAsync(FaultScene scene, FaultVolume volume)
    {
        var models = await FaultModels.GetAsync([.. scene.Agents.Select(a => a.DeviceId)]).ConfigureAwait(false);
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        scene.MarkFault();
        var publish = PublishAsync(scene, models, 3);
        // The offer is validated on the calibration set through the device for a while: kill the agent inside that.
        await FaultScene.PauseAsync(0.5).ConfigureAwait(false);
        scene.Agents[0].Kill();
        await FaultScene.PauseAsync(1).ConfigureAwait(false);
        scene.Agents[0].Start();
        var (code, said) = await publish.ConfigureAwait(false);
        scene.Notes.Add($"publish v3 across the kill: exit {code}");
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
        await RequireModelAsync(scene, [2, 3], said).ConfigureAwait(false);
    }

    // The retained status may trail the verdict: polled for up to 30 s rather than read once after a fixed wait.
    private static async Task RequireModelAsync(FaultScene scene, int[] expected, string context)
    {
        var deadline = scene.Clock.Elapsed + TimeSpan.FromSeconds(30);
        while (scene.Drivers[0].ModelVersion is not { } current || !expected.Contains(current))
        {
            if (scene.Clock.Elapsed > deadline)
            {
                break;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        var version = scene.Drivers[0].ModelVersion;
        var shown = version is { } v ? "v" + v.ToString(CultureInfo.InvariantCulture) : "none";
        scene.Notes.Add($"status: model {shown}");
        if (version is null || !expected.Contains(version.Value))
        {
            scene.Violations.Add($"the agent reports model {shown}, expected v{string.Join(" or v", expected)} "
                + $"({context})");
        }
    }

    private static async Task CorruptStateAsync(FaultScene scene)
    {
        var models = await UseModelsAsync(scene).ConfigureAwait(false);
        await InstallThroughAsync(scene, models, 2).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(StoreFolder(scene), "state.json"), "{\"active\": 2, garbage")
            .ConfigureAwait(false);
    }

    private static async Task CheckStoreAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before + volume.After).ConfigureAwait(false);
        // Rebuilt from the verified packages, the store must not activate anything but what the state said.
        await RequireModelAsync(scene, [2], "state.json was garbage at start").ConfigureAwait(false);
        var files = Directory.GetFiles(StoreFolder(scene)).Select(Path.GetFileName);
        scene.Notes.Add($"store: {string.Join(", ", files)}");
    }

    private static string StoreVolume(FaultScene scene) => StoreFolder(scene);

    private static async Task MountStoreVolumeAsync(FaultScene scene)
    {
        var volume = Directory.CreateDirectory(StoreVolume(scene)).FullName;
        await ShippedBrokerFiles.RunAsync("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", volume)
            .ConfigureAwait(false);
        var models = await UseModelsAsync(scene).ConfigureAwait(false);
        await InstallThroughAsync(scene, models, 1).ConfigureAwait(false);
    }

    private static void UnmountStoreVolume(FaultScene scene)
    {
        using var umount = System.Diagnostics.Process.Start("umount", ["-l", StoreVolume(scene)]);
        umount.WaitForExit();
    }

    private static async Task OfferOnFullStoreAsync(FaultScene scene, FaultVolume volume)
    {
        var models = await FaultModels.GetAsync([.. scene.Agents.Select(a => a.DeviceId)]).ConfigureAwait(false);
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        var filler = Path.Combine(StoreVolume(scene), "filler");
        await FillAsync(filler).ConfigureAwait(false);
        scene.MarkFault();
        var (full, saidFull) = await PublishAsync(scene, models, 2).ConfigureAwait(false);
        scene.Notes.Add($"offer on the full store: exit {full}");
        await RequireModelAsync(scene, [1], saidFull).ConfigureAwait(false);
        await FaultScene.PauseAsync(volume.After).ConfigureAwait(false);
        File.Delete(filler);
        var (freed, saidFreed) = await PublishAsync(scene, models, 2).ConfigureAwait(false);
        scene.Notes.Add($"offer once freed: exit {freed}");
        await RequireModelAsync(scene, [2], saidFreed).ConfigureAwait(false);
        await FaultScene.PauseAsync(volume.After).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="filler"/> until its disk is full.</summary>
    internal static async Task FillAsync(string filler)
    {
        var chunk = new byte[64 * 1024];
        await using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                await stream.WriteAsync(chunk).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // No space left on device: the point of the row.
        }
    }
}
