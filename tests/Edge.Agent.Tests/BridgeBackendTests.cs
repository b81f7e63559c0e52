using System.Net;
using System.Net.Sockets;
using Edge.Agent.Commands;
using Edge.Agent.Configuration;
using Edge.Agent.Csv;
using Edge.Bridge.Emulator;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Agent.Tests;

public sealed class BridgeBackendTests
{
    [Fact]
    public async Task The_bridge_backend_plays_drives_on_the_emulated_esp32_and_matches_the_noise_free_part()
    {
        using var directory = new TempDirectory();
        var drives = new float[3 * 24];
        var random = new Random(2);
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var drivesPath = directory.File("drives.csv");
        await using (var writer = File.CreateText(drivesPath))
        {
            ValueCsv.Write(writer, drives, 24);
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var emulator = new BridgeEmulator(ElectronicSystem.Instance, "esp-7", 3, new LineFaults(0, 0, 0, 1), 20e-6);
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            emulator.Run(client.GetStream(), stop.Token);
        }, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__BRIDGE__TCP"] =
            $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}" };

        var outPath = directory.File("responses.csv");
        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "forward", "--system",
            "electronic", "--device-id", "esp-7", "--backend", "bridge", "--drives", drivesPath, "--out", outPath);
        await stop.CancelAsync();

        Assert.True(exitCode == ExitCodes.Success, error);
        var measured = ValueCsv.Read(outPath, 12);
        var expected = new float[measured.Length];
        ElectronicSystem.Instance.CreateDevice(
            "esp-7",
            3,
            Imperfections.None with { PartSpread = 1, DacQuantisation = true, SettlingGapSeconds = 20e-6 })
            .Forward(drives, expected);
        for (var i = 0; i < measured.Length; i++)
        {
            Assert.True(Math.Abs(measured[i] - expected[i]) <= 1.5 * 8 / 4095.0,
                $"value {i}: bridge {measured[i]}, simulated {expected[i]}");
        }

        await serve.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_unreachable_bridge_is_reported_with_the_device_exit_code()
    {
        using var directory = new TempDirectory();
        var drivesPath = directory.File("drives.csv");
        await File.WriteAllTextAsync(drivesPath, string.Join(',', new string('0', 24).ToCharArray()) + "\n",
            TestContext.Current.CancellationToken);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__BRIDGE__TCP"] = $"127.0.0.1:{port}" };
        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "forward", "--system",
            "electronic", "--device-id", "p1", "--backend", "bridge", "--drives", drivesPath);

        Assert.Equal(ExitCodes.DeviceUnavailable, exitCode);
        Assert.Contains("Edge:Device:Bridge", error, StringComparison.Ordinal);
        Assert.Contains("Cannot reach the bridge emulator", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_info_over_the_bridge_reports_the_link_status()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var emulator = new BridgeEmulator(
            ElectronicSystem.Instance,
            "esp-8",
            3,
            new LineFaults(921_600, 0, 0, 1),
            20e-6);
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            emulator.Run(client.GetStream(), stop.Token);
        }, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?>
        {
            ["EDGE_DEVICE__BRIDGE__TCP"] = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}",
            ["EDGE_DEVICE__BRIDGE__HEARTBEATINTERVALMS"] = "100",
        };

        var (exitCode, output, error) = await AgentRun.InvokeAsync(
            environment, "device", "info", "--system", "electronic", "--device-id", "esp-8", "--backend", "bridge");
        await stop.CancelAsync();

        Assert.True(exitCode == ExitCodes.Success, error);
        using var document = System.Text.Json.JsonDocument.Parse(output);
        var status = document.RootElement.GetProperty("status");
        Assert.True(status.GetProperty("ready").GetBoolean());
        Assert.Equal("ready", status.GetProperty("state").GetString());
        var figures = status.GetProperty("figures");
        Assert.Equal(921_600, figures.GetProperty("baudRate").GetDouble());
        Assert.Equal(0, figures.GetProperty("reconnections").GetDouble());
        Assert.True(figures.GetProperty("retransmitTimeoutMs").GetDouble() >= 50);
        await serve.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Bridge_link_timing_is_validated_naming_each_key()
    {
        var result = new DeviceOptionsValidator().Validate(null, new DeviceOptions
        {
            System = "electronic",
            DeviceId = "p1",
            Backend = "bridge",
            Bridge = new BridgeBackendOptions
            {
                Tcp = "127.0.0.1:5555",
                MaxPayload = 32,
                MinRetransmitTimeoutMs = 100,
                MaxRetransmitTimeoutMs = 50,
                RetryLimit = 50,
                MaxRetryLimit = 10,
                HeartbeatIntervalMs = 2000,
                SilenceTimeoutMs = 100,
                ReconnectDelayMs = 0,
            },
        });

        foreach (var key in new[]
            {
                "MaxPayload", "MaxRetransmitTimeoutMs", "MaxRetryLimit", "HeartbeatIntervalMs", "SilenceTimeoutMs",
                "ReconnectDelayMs",
            })
        {
            Assert.Contains($"Edge:Device:Bridge:{key}:", result.FailureMessage, StringComparison.Ordinal);
        }

        var valid = new DeviceOptionsValidator().Validate(null, new DeviceOptions
        {
            System = "electronic",
            DeviceId = "p1",
            Backend = "bridge",
            Bridge = new BridgeBackendOptions { Tcp = "127.0.0.1:5555" },
        });
        Assert.True(valid.Succeeded, valid.FailureMessage);
    }

    [Fact]
    public void A_malformed_bridge_address_is_rejected_naming_the_key()
    {
        var result = new DeviceOptionsValidator().Validate(null, new DeviceOptions
        {
            System = "electronic",
            DeviceId = "p1",
            Backend = "bridge",
            Bridge = new BridgeBackendOptions { Tcp = "localhost", BaudRate = 10 },
        });

        Assert.Contains("Edge:Device:Bridge:Tcp: 'localhost' is not host:port", result.FailureMessage,
            StringComparison.Ordinal);
        Assert.Contains("Edge:Device:Bridge:BaudRate", result.FailureMessage, StringComparison.Ordinal);
    }
}
