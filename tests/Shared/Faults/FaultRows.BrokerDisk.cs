using System.Diagnostics;

namespace Edge.Tests.Shared.Faults;

/// <summary>The broker's disk fills: mosquitto's persistence folder on a small tmpfs.</summary>
public static partial class FaultRows
{
    internal static string BrokerDataFolder(FaultScene scene) => Path.Combine(scene.Broker.Folder, "conf", "data");

    /// <summary>Puts mosquitto's persistence folder on an 8 MB tmpfs (the broker restarted onto it).</summary>
    internal static async Task MountBrokerVolumeAsync(FaultScene scene)
    {
        var data = BrokerDataFolder(scene);
        scene.Broker.Kill();
        // mode=0777: mosquitto drops root before it writes its persistence file.
        await ShippedBrokerFiles.RunAsync("mount", "-t", "tmpfs", "-o", "size=8m,mode=0777", "tmpfs", data)
            .ConfigureAwait(false);
        await scene.Broker.StartAsync().ConfigureAwait(false);
    }

    internal static void UnmountBrokerVolume(FaultScene scene)
    {
        using var umount = Process.Start("umount", ["-l", BrokerDataFolder(scene)]);
        umount.WaitForExit();
    }

    /// <summary>
    /// The trainer goes away, so the broker must keep its persistent session's messages; the broker's disk fills,
    /// so its autosave fails and they live only in its memory; then mosquitto is killed (kill -9) and restarted on
    /// the full disk, the disk is freed and the trainer comes back. The agents' outboxes hold every batch until the
    /// trainer acknowledges it, so whatever the broker lost is sent again.
    /// </summary>
    private static async Task FillBrokerDiskAsync(FaultScene scene, FaultVolume volume)
    {
        await FaultScene.PauseAsync(volume.Before).ConfigureAwait(false);
        scene.KillTrainer();
        var filler = Path.Combine(BrokerDataFolder(scene), "filler");
        await FillAsync(filler).ConfigureAwait(false);
        scene.MarkFault();
        await FaultScene.PauseAsync(volume.Hold).ConfigureAwait(false);
        var errors = BrokerErrors(scene);
        scene.Broker.Kill();
        await FaultScene.PauseAsync(1).ConfigureAwait(false);
        await scene.Broker.StartAsync().ConfigureAwait(false);
        scene.Notes.Add($"mosquitto logged \"No space left on device\" {errors.Count}× on the full disk; "
            + "restarted on it");
        await FaultScene.PauseAsync(3).ConfigureAwait(false);
        File.Delete(filler);
        scene.StartTrainer();
        await scene.AfterRecoveryAsync(volume).ConfigureAwait(false);
    }

    private static IReadOnlyList<string> BrokerErrors(FaultScene scene) =>
        scene.Broker.Process?.Matching("No space left on device") ?? [];
}
