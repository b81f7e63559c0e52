using System.Diagnostics;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.Simulation.Electronic;
using static Edge.Bridge.Tests.BridgeChecks;

namespace Edge.Bridge.Tests;

/// <summary>The agent's side of the link when the line is cut or the bridge hangs, and the emulator's when the
/// host leaves.</summary>
public sealed class BridgeReconnectionTests
{
    private const string PartId = BridgeRig.PartId;
    private const ulong Seed = BridgeRig.Seed;

    private static readonly BridgeDeviceOptions FastRecovery = new()
    {
        BaudRate = 0,
        SilenceTimeout = TimeSpan.FromMilliseconds(800),
        // Long enough to see the device down on a loaded machine, short enough for a quick test.
        ReconnectDelay = TimeSpan.FromSeconds(2),
        MaxReconnectDelay = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public async Task
        A_cut_line_fails_the_forward_with_an_io_error_reports_not_ready_and_reconnects_with_a_fresh_hello()
    {
        await using var rig = await BridgeRig.OpenAsync(new LineFaults(115_200, 0, 0, 3), FastRecovery, true);
        var (emulator, device) = (rig.Emulator.Emulator, rig.Device);
        var firstSequence = emulator.LastInitialSequence;

        // Cut while a long forward is on the line (400 drives at 115 200 baud take seconds).
        var drives = Drives(400, seed: 400);
        var forward = device.ForwardAsync(drives, new float[400 * 12], TestContext.Current.CancellationToken).AsTask();
        await WaitUntilAsync(() => emulator.Firmware!.CapturesDone > 2);
        rig.Line.Cut();

        var error = await Assert.ThrowsAsync<IOException>(() => forward);
        Assert.Contains("failed", error.Message, StringComparison.Ordinal);
        var down = device.GetStatus();
        Assert.False(down.Ready);
        Assert.Equal("reconnecting", down.State);
        Assert.False(device.IsConnected);
        await WaitUntilAsync(() => device.Reconnections == 1 && device.IsConnected);

        var (measured, expected) = await CompareAsync(device, 10, seed: 10, twice: true);
        AssertWithinQuantisation(measured, expected);
        Assert.True(device.GetStatus().Ready);
        Assert.Equal(2, emulator.Sessions);
        Assert.Equal(2, rig.Line.Connections);
        Assert.NotEqual(firstSequence, emulator.LastInitialSequence);
    }

    [Fact]
    public async Task A_hung_bridge_is_noticed_by_its_silence_and_the_device_reconnects_when_it_answers_again()
    {
        await using var rig = await BridgeRig.OpenAsync(new LineFaults(0, 0, 0, 4), FastRecovery, true);
        var device = rig.Device;
        await CompareAsync(device, 2, seed: 2, twice: true);

        rig.Line.Freeze();
        var frozen = Stopwatch.StartNew();
        await WaitUntilAsync(() => !device.GetStatus().Ready);
        // The silence counts from the last frame before the freeze (heartbeats come every 250 ms), not from it.
        Assert.True(frozen.Elapsed >= FastRecovery.SilenceTimeout / 2, $"noticed after {frozen.Elapsed}");
        Assert.Contains("nothing heard from the bridge", device.GetStatus().Problem, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<IOException>(
            () => device.ForwardAsync(Drives(1, seed: 1), new float[12], TestContext.Current.CancellationToken)
                .AsTask());
        Assert.Contains("not connected", refused.Message, StringComparison.Ordinal);

        await WaitUntilAsync(() => device.Reconnections == 1 && device.IsConnected);
        var (measured, expected) = await CompareAsync(device, 4, seed: 4, twice: true);
        AssertWithinQuantisation(measured, expected);
    }

    [Fact]
    public async Task A_bridge_that_hangs_under_a_waiting_forward_fails_it_after_the_stall_timeout_not_the_budget()
    {
        // Silence watchdog and capture budget far away: only the stall check can fail the forward soon.
        var options = FastRecovery with
        {
            SilenceTimeout = TimeSpan.FromSeconds(60),
            CaptureSlack = TimeSpan.FromSeconds(60),
            StallTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using var rig = await BridgeRig.OpenAsync(new LineFaults(0, 0, 0, 6), options, true);
        var device = rig.Device;
        await CompareAsync(device, 2, seed: 2, twice: true);

        rig.Line.Freeze();
        var frozen = Stopwatch.StartNew();
        var failed = await Assert.ThrowsAsync<IOException>(
            () => device.ForwardAsync(Drives(4, seed: 4), new float[48], TestContext.Current.CancellationToken)
                .AsTask());

        Assert.Contains("the bridge is hung", failed.Message, StringComparison.Ordinal);
        Assert.True(frozen.Elapsed < TimeSpan.FromSeconds(30), $"failed after {frozen.Elapsed}");
        await WaitUntilAsync(() => device.Reconnections == 1 && device.IsConnected);
        var (measured, expected) = await CompareAsync(device, 4, seed: 4, twice: true);
        AssertWithinQuantisation(measured, expected);
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(0, true)]
    public async Task An_idle_agent_heartbeats_so_the_bridge_watchdog_does_not_park_the_outputs(
        int heartbeatMs, bool parks)
    {
        var options = new BridgeDeviceOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeatMs) };
        await using var rig = await BridgeRig.OpenAsync(new LineFaults(921_600, 0, 0, 5), options);
        await CompareAsync(rig.Device, 1, seed: 1);

        // Three watchdog periods (1 s each) of idleness: without heartbeats the bridge parks its outputs.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        Assert.Equal(parks, rig.Emulator.Emulator.Firmware!.SafeStateEntries > 0);
        Assert.True(rig.Device.IsConnected);
        Assert.Equal(0, rig.Device.Reconnections);
    }

    [Fact]
    public void Session_sequence_numbers_and_line_faults_are_random_per_session_but_repeat_with_the_fault_seed()
    {
        static (ushort[] Sequences, int[] Kept) Run(int faultSeed)
        {
            var faults = new LineFaults(0, 0.3, 0.1, faultSeed);
            var emulator = new BridgeEmulator(ElectronicSystem.Instance, PartId, Seed, faults, 0);
            var sequences = new ushort[3];
            var kept = new int[3];
            for (var session = 0; session < 3; session++)
            {
                emulator.Run(new MemoryStream(), TestContext.Current.CancellationToken);
                sequences[session] = emulator.LastInitialSequence;
                var bytes = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
                kept[session] = faults.Apply(LineDirection.ToDevice, bytes, bytes.Length) * 1000
                    + faults.Apply(LineDirection.ToHost, bytes, bytes.Length);
            }

            return (sequences, kept);
        }

        var first = Run(17);
        var again = Run(17);
        var other = Run(18);

        Assert.Equal(first.Sequences, again.Sequences);
        Assert.Equal(first.Kept, again.Kept);
        Assert.Equal(3, first.Sequences.Distinct().Count());
        Assert.NotEqual(first.Sequences, other.Sequences);
    }
}
