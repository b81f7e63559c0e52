using Edge.Agent.Commands;
using Edge.Agent.Configuration;
using Edge.Agent.Csv;
using Edge.Domain.Simulation;

namespace Edge.Agent.Tests;

public sealed class BackendTests
{
    [Fact]
    public async Task The_emulated_backend_plays_drives_through_chip_drivers_and_matches_the_noise_free_part()
    {
        using var directory = new TempDirectory();
        var system = PhysicalSystems.Get("duffing");
        var drives = new float[2 * system.Spec.DriveLength];
        var random = new Random(5);
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var drivesPath = directory.File("drives.csv");
        await using (var writer = File.CreateText(drivesPath))
        {
            ValueCsv.Write(writer, drives, system.Spec.DriveLength);
        }

        // 400 s of virtual rest between drives lets the Duffing part settle, as the simulated part always starts at
        // rest.
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__DIRECT__INTERDRIVEGAPMILLISECONDS"] =
            "400000" };
        var outPath = directory.File("responses.csv");
        var (exitCode, _, error) = await AgentRun.InvokeAsync(environment, "device", "forward", "--system", "duffing",
            "--device-id", "p7", "--backend", "emulated", "--drives", drivesPath, "--out", outPath);

        Assert.True(exitCode == ExitCodes.Success, error);
        var measured = ValueCsv.Read(outPath, system.Spec.OutputSize);
        var expected = new float[measured.Length];
        system.CreateDevice("p7", 0, Imperfections.None with { DacQuantisation = true }).Forward(drives, expected);
        var lsb = (system.Spec.Adc.Max - system.Spec.Adc.Min) / 4095.0;
        for (var i = 0; i < measured.Length; i++)
        {
            Assert.True(Math.Abs(measured[i] - expected[i]) <= 1.5 * lsb,
                $"bin {i}: emulated {measured[i]}, simulated {expected[i]}");
        }
    }

    [Fact]
    public async Task Direct_without_the_bus_reports_which_chip_could_not_be_opened()
    {
        using var directory = new TempDirectory();
        var drivesPath = directory.File("drives.csv");
        await File.WriteAllTextAsync(drivesPath, string.Join(',', new string('0', 24).ToCharArray()) + "\n",
            TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?> { ["EDGE_DEVICE__DIRECT__SPIBUS"] = "97" };

        var (exitCode, output, error) = await AgentRun.InvokeAsync(environment, "device", "forward", "--system",
            "duffing", "--device-id", "p1", "--backend", "direct", "--drives", drivesPath);

        Assert.Equal(ExitCodes.DeviceUnavailable, exitCode);
        Assert.Empty(output);
        Assert.Contains("cannot open the DAC", error, StringComparison.Ordinal);
        Assert.Contains("spidev97", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_layer_too_fast_for_the_chips_is_refused_with_a_pointer_to_the_bridge()
    {
        using var directory = new TempDirectory();
        var drivesPath = directory.File("drives.csv");
        await File.WriteAllTextAsync(drivesPath, string.Join(',', new string('0', 24).ToCharArray()) + "\n",
            TestContext.Current.CancellationToken);

        var (exitCode, _, error) = await AgentRun.InvokeAsync(null, "device", "forward", "--system", "electronic",
            "--device-id", "p1", "--backend", "emulated", "--drives", drivesPath);

        Assert.Equal(ExitCodes.DeviceUnavailable, exitCode);
        Assert.Contains("bridge", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_backends_chips_and_channels_are_rejected_naming_the_key()
    {
        var validator = new DeviceOptionsValidator();

        var backend = validator.Validate(null,
            new DeviceOptions { System = "duffing", DeviceId = "p1", Backend = "telepathy" });
        Assert.Contains("Edge:Device:Backend", backend.FailureMessage, StringComparison.Ordinal);

        var chips = validator.Validate(null, new DeviceOptions
        {
            System = "duffing",
            DeviceId = "p1",
            Backend = "direct",
            Direct = new DirectBackendOptions { Dac = "ad5691", Adc = "ads1115", AdcChannel = 4,
                DacReferenceVolts = 0 },
        });
        Assert.Contains("Edge:Device:Direct:Dac: unknown DAC 'ad5691'", chips.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Edge:Device:Direct:AdcChannel: 4 is outside 0–3 for ads1115", chips.FailureMessage,
            StringComparison.Ordinal);
        Assert.Contains("DacReferenceVolts", chips.FailureMessage, StringComparison.Ordinal);

        var good = validator.Validate(null,
            new DeviceOptions { System = "duffing", DeviceId = "p1", Backend = "EMULATED" });
        Assert.True(good.Succeeded, good.FailureMessage);
    }
}
