using System.Diagnostics;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Bridge.Tests;

/// <summary>The agent's side of the link when the line is cut or the bridge hangs, and the emulator's when the
/// host leaves.</summary>
public sealed class BridgeReconnectionTests
{
    private const string PartId = "bridge-part";
    private const ulong Seed = 5;

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
        await using var emulator = EmulatorServer.Start(PartId, Seed, new LineFaults(115_200, 0, 0, 3));
        await using var proxy = new LineProxy(emulator.Port);
        await using var device = await BridgeDevice.OpenTcpAsync(
            ElectronicSystem.LayerSpec,
            PartId,
            "127.0.0.1",
            proxy.Port,
            FastRecovery,
            TestContext.Current.CancellationToken);
        var firstSequence = emulator.Emulator.LastInitialSequence;

        // Cut while a long forward is on the line (400 drives at 115 200 baud take seconds).
        var drives = Drives(400);
        var forward = device.ForwardAsync(drives, new float[400 * 12], TestContext.Current.CancellationToken).AsTask();
        await WaitUntilAsync(() => emulator.Emulator.Firmware!.CapturesDone > 2);
        proxy.Cut();

        var error = await Assert.ThrowsAsync<IOException>(() => forward);
        Assert.Contains("failed", error.Message, StringComparison.Ordinal);
        var down = device.GetStatus();
        Assert.False(down.Ready);
        Assert.Equal("reconnecting", down.State);
        Assert.False(device.IsConnected);
        await WaitUntilAsync(() => device.Reconnections == 1 && device.IsConnected);

        var (measured, expected) = await CompareAsync(device, 10);
        AssertWithinQuantisation(measured, expected);
        Assert.True(device.GetStatus().Ready);
        Assert.Equal(2, emulator.Emulator.Sessions);
        Assert.Equal(2, proxy.Connections);
        Assert.NotEqual(firstSequence, emulator.Emulator.LastInitialSequence);
    }

    [Fact]
    public async Task A_hung_bridge_is_noticed_by_its_silence_and_the_device_reconnects_when_it_answers_again()
    {
        await using var emulator = EmulatorServer.Start(PartId, Seed, new LineFaults(0, 0, 0, 4));
        await using var proxy = new LineProxy(emulator.Port);
        await using var device = await BridgeDevice.OpenTcpAsync(
            ElectronicSystem.LayerSpec,
            PartId,
            "127.0.0.1",
            proxy.Port,
            FastRecovery,
            TestContext.Current.CancellationToken);
        await CompareAsync(device, 2);

        proxy.Freeze();
        var frozen = Stopwatch.StartNew();
        await WaitUntilAsync(() => !device.GetStatus().Ready);
        // The silence counts from the last frame before the freeze (heartbeats come every 250 ms), not from it.
        Assert.True(frozen.Elapsed >= FastRecovery.SilenceTimeout / 2, $"noticed after {frozen.Elapsed}");
        Assert.Contains("nothing heard from the bridge", device.GetStatus().Problem, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<IOException>(
            () => device.ForwardAsync(Drives(1), new float[12], TestContext.Current.CancellationToken).AsTask());
        Assert.Contains("not connected", refused.Message, StringComparison.Ordinal);

        await WaitUntilAsync(() => device.Reconnections == 1 && device.IsConnected);
        var (measured, expected) = await CompareAsync(device, 4);
        AssertWithinQuantisation(measured, expected);
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(0, true)]
    public async Task An_idle_agent_heartbeats_so_the_bridge_watchdog_does_not_park_the_outputs(
        int heartbeatMs, bool parks)
    {
        await using var emulator = EmulatorServer.Start(PartId, Seed, new LineFaults(921_600, 0, 0, 5));
        var options = new BridgeDeviceOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeatMs) };
        await using var device = await BridgeDevice.OpenTcpAsync(
            ElectronicSystem.LayerSpec,
            PartId,
            "127.0.0.1",
            emulator.Port,
            options,
            TestContext.Current.CancellationToken);
        await CompareAsync(device, 1);

        // Three watchdog periods (1 s each) of idleness: without heartbeats the bridge parks its outputs.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        Assert.Equal(parks, emulator.Emulator.Firmware!.SafeStateEntries > 0);
        Assert.True(device.IsConnected);
        Assert.Equal(0, device.Reconnections);
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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Generous: the machine is shared; the conditions themselves are sharp.
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "condition not reached in 30 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static float[] Drives(int count)
    {
        var random = new Random(count);
        return Enumerable.Range(0, count * 24).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    /// <summary>
    /// Forwards the same drives twice and returns the second answer with the simulation's: the circuit remembers the
    /// drives before (whatever an interrupted session left), so the first pass only sets the history both share.
    /// </summary>
    private static async Task<(float[] Measured, float[] Expected)> CompareAsync(BridgeDevice device, int drives)
    {
        var values = Drives(drives);
        var measured = new float[drives * 12];
        await device.ForwardAsync(values, measured, TestContext.Current.CancellationToken);
        await device.ForwardAsync(values, measured, TestContext.Current.CancellationToken);
        var reference = ElectronicSystem.Instance.CreateDevice(
            PartId,
            Seed,
            Imperfections.None with { PartSpread = 1, DacQuantisation = true, SettlingGapSeconds = 20e-6 });
        var expected = new float[2 * measured.Length];
        reference.Forward([.. values, .. values], expected);
        return (measured, expected[measured.Length..]);
    }

    private static void AssertWithinQuantisation(float[] measured, float[] expected)
    {
        var lsb = 8.0 / 4095;
        for (var i = 0; i < measured.Length; i++)
        {
            Assert.True(
                Math.Abs(measured[i] - expected[i]) <= 1.5 * lsb,
                $"value {i}: {measured[i]:F5} vs {expected[i]:F5}");
        }
    }
}
