using System.IO.Ports;
using System.Net;
using System.Net.Sockets;
using Edge.Bridge.Emulator;
using Edge.Bridge.Firmware;
using Edge.Devices.Bridge;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;
using static Edge.Bridge.Tests.BridgeChecks;

namespace Edge.Bridge.Tests;

public sealed class BridgeEndToEndTests
{
    private const string PartId = BridgeRig.PartId;
    private const ulong Seed = BridgeRig.Seed;
    private const double Rest = BridgeRig.Rest;

    [Fact]
    public async Task A_forward_through_the_emulated_bridge_over_tcp_equals_the_simulation_within_quantisation()
    {
        await using var emulator = EmulatorServer.Start(PartId, Seed, new LineFaults(0, 0, 0, 1));
        await using var device = await BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, PartId, "127.0.0.1",
            emulator.Port, cancellationToken: TestContext.Current.CancellationToken);

        var (measured, expected) = await CompareAsync(device, 6, seed: 3);

        AssertWithinQuantisation(measured, expected);
        Assert.Equal(12, device.BridgeInfo!.DacBits);
    }

    [Fact]
    public async Task Byte_loss_and_corruption_on_the_line_are_repaired_by_the_link()
    {
        var faults = new LineFaults(0, 0.002, 0.002, 9);
        await using var emulator = EmulatorServer.Start(PartId, Seed, faults);
        await using var device = await BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, PartId, "127.0.0.1",
            emulator.Port, cancellationToken: TestContext.Current.CancellationToken);

        var (measured, expected) = await CompareAsync(device, 20, seed: 3);

        AssertWithinQuantisation(measured, expected);
        Assert.True(faults.Lost + faults.Corrupted > 0, "the line injected no faults");
        Assert.True(device.Retransmissions + emulator.Emulator.Firmware!.Link.Retransmissions > 0);
    }

    [Fact]
    public async Task Packed_requests_play_drives_back_to_back_with_rest_segments_and_still_match_the_simulation()
    {
        const double rest = 24e-6;
        await using var emulator = EmulatorServer.Start(PartId, Seed, new LineFaults(0, 0, 0, 1), restSeconds: rest);
        var options = new BridgeDeviceOptions { DrivesPerRequest = 8, RestSegments = 6 };
        await using var device = await BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, PartId, "127.0.0.1",
            emulator.Port, options, TestContext.Current.CancellationToken);

        // A fresh link packs cautiously until clean bytes have passed (LinkTuningTests); then 8 a request.
        var values = Drives(84, seed: 4);
        var measured = new float[84 * 12];
        await device.ForwardAsync(
            values.AsMemory(0, 64 * 24), measured.AsMemory(0, 64 * 12), TestContext.Current.CancellationToken);
        var capturesBefore = emulator.Emulator.Firmware!.CapturesDone;
        await device.ForwardAsync(
            values.AsMemory(64 * 24), measured.AsMemory(64 * 12), TestContext.Current.CancellationToken);
        var expected = new float[measured.Length];
        ElectronicSystem.Instance.CreateDevice(
            PartId,
            Seed,
            Imperfections.None with { PartSpread = 1, DacQuantisation = true, SettlingGapSeconds = rest })
            .Forward(values, expected);

        AssertWithinQuantisation(measured, expected);
        Assert.Equal(8, device.DrivesPerRequest);
        Assert.Equal(3, emulator.Emulator.Firmware.CapturesDone - capturesBefore);
        Assert.True(device.PayloadBytes > device.DriveBytes);
    }

    [Fact]
    public async Task Rest_segments_that_do_not_fill_whole_bins_are_refused()
    {
        await using var emulator = EmulatorServer.Start(PartId, Seed, new LineFaults(0, 0, 0, 1));
        var options = new BridgeDeviceOptions { DrivesPerRequest = 4, RestSegments = 3 };

        var error = await Assert.ThrowsAsync<IOException>(()
            => BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, PartId, "127.0.0.1", emulator.Port, options,
                TestContext.Current.CancellationToken));

        Assert.Contains("whole bins of 8 samples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task
        The_agent_talks_to_the_emulator_through_a_socat_pty_pair_as_to_a_real_esp32_and_survives_its_own_restart()
    {
        using var directory = new TempPath();
        var socat = PtyPair.TryStart(directory.Path);
        if (socat is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true",
                "socat is not installed; .ci/run installs it and CI must not skip this test.");
            Assert.Skip("socat is not installed (apt-get install socat).");
        }

        using (socat)
        {
            var emulator = new BridgeEmulator(ElectronicSystem.Instance, PartId, Seed, new LineFaults(921_600, 0, 0, 1),
                Rest);
            using var port = new SerialPort(socat.DevicePath, 921_600);
            port.Open();
            using var stop = new CancellationTokenSource();
            var firmwareLoop = Task.Run(() => emulator.Run(port.BaseStream, stop.Token),
                TestContext.Current.CancellationToken);

            for (var session = 0; session < 2; session++)
            {
                await using var device = await BridgeDevice.OpenSerialAsync(ElectronicSystem.LayerSpec, PartId,
                    socat.HostPath, 921_600, cancellationToken: TestContext.Current.CancellationToken);
                var drives = Drives(3, seed: session);
                var measured = new float[3 * 12];
                await device.ForwardAsync(drives, measured, TestContext.Current.CancellationToken);
                Assert.All(measured, v => Assert.InRange(v, -4f, 4f));
                Assert.Contains(measured, v => Math.Abs(v) > 0.01f);
            }

            await stop.CancelAsync();
            port.Close();
            await firmwareLoop.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(6, emulator.Firmware!.CapturesDone);
        }
    }

    [Fact]
    public async Task An_unreachable_bridge_and_a_layer_it_cannot_play_are_reported()
    {
        var unreachable = await Assert.ThrowsAsync<IOException>(()
            => BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, PartId, "127.0.0.1", FreePort(),
                cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("Cannot reach the bridge emulator", unreachable.Message, StringComparison.Ordinal);

        await using var slow = EmulatorServer.Start(
            PartId,
            Seed,
            new LineFaults(0, 0, 0, 1),
            new FirmwareSettings { MaxSampleRateHz = 100_000, SafeCode = 2048 });
        var refused = await Assert.ThrowsAsync<IOException>(()
            => BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, PartId, "127.0.0.1", slow.Port,
                cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("cannot play layer 'electronic'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("1000000 S/s", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_emulator_refuses_a_layer_that_is_not_a_sampled_circuit()
    {
        var error = Assert.Throws<ArgumentException>(()
            => new BridgeEmulator(PhysicalSystems.Get("optical"), PartId, Seed, new LineFaults(0, 0, 0, 1), 0));
        Assert.Contains("not a sampled circuit", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
