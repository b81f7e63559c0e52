using System.Globalization;
using Edge.Agent.Commands;
using Edge.Agent.Tests.Inference;
using Edge.Agent.Tests.Models;
using Edge.Devices.Adc;
using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using Edge.Devices.Layers;
using Edge.Domain.Devices;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Tests.Hosting;

/// <summary>
/// Stopping the service leaves every DAC output at its safe value — with the Direct backend on register-level chip
/// emulators and with the ESP32 bridge — also when the stop arrives while the watched folder is being classified.
/// </summary>
public sealed class DacParkingTests(TrainedPackages vowels) : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Stopping_mid_inference_parks_the_direct_backends_dac_at_its_safe_code()
    {
        var system = PhysicalSystems.Get("duffing");
        var env = StoreEnvironment("duffing", "park-direct");
        await InstallAsync(env, DuffingPackage(system));
        var (device, dacChip, bench, log) = EmulatedDirect(system, "park-direct");
        var safeVolts = dacChip.OutputVolts(0);
        Assert.Equal(device.SafeCode * 3.3 / 4096, safeVolts, 9);

        var watched = Directory.CreateDirectory(_folder.File("watch-direct")).FullName;
        await File.WriteAllTextAsync(Path.Combine(watched, "many.csv"), Rows(200),
            TestContext.Current.CancellationToken);
        env["EDGE_INFERENCE__WATCHDIRECTORY"] = watched;
        env["EDGE_INFERENCE__STABLEMILLISECONDS"] = "0";
        env["EDGE_INFERENCE__POLLMILLISECONDS"] = "10";
        var service = await ServiceHost.StartAsync(env, services => services.AddSingleton<IPhysicalDevice>(device));
        var afterSelfTest = log.DrivenSets(safeVolts);
        await Poll.UntilAsync(() => log.DrivenSets(safeVolts) > afterSelfTest + (3 * system.Spec.DriveLength),
            "classification under way");

        await service.StopAsync();
        var stepsAtStop = bench.Steps;
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.Equal(safeVolts, dacChip.OutputVolts(0), 9);
        Assert.Equal(safeVolts, log.Last, 9);
        Assert.Equal(0.0, dacChip.OutputVolts(1));
        Assert.Equal(stepsAtStop, bench.Steps);
        Assert.True(File.Exists(Path.Combine(watched, "many.csv")),
            "an interrupted file stays to be classified again at the next start");
        await service.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_mid_inference_leaves_every_bridge_dac_channel_at_its_safe_code()
    {
        var system = PhysicalSystems.Get(TrainedPackages.System);
        using var bridge = new RecordingBridge(system, "park-bridge");
        var env = StoreEnvironment(TrainedPackages.System, "park-bridge");
        await InstallAsync(env, vowels.Package(vowels.Trained, 1, targets: new(["park-bridge"])));
        var watched = Directory.CreateDirectory(_folder.File("watch-bridge")).FullName;
        await File.WriteAllTextAsync(Path.Combine(watched, "many.csv"), Rows(400),
            TestContext.Current.CancellationToken);
        env["EDGE_DEVICE__BACKEND"] = "bridge";
        env["EDGE_DEVICE__BRIDGE__TCP"] = $"127.0.0.1:{bridge.Port}";
        env["EDGE_INFERENCE__WATCHDIRECTORY"] = watched;
        env["EDGE_INFERENCE__STABLEMILLISECONDS"] = "0";
        env["EDGE_INFERENCE__POLLMILLISECONDS"] = "10";

        var service = await ServiceHost.StartAsync(env);
        await Poll.UntilAsync(() => bridge.DriveWrites > 5 * system.Spec.DriveLength,
            "drives played through the bridge");
        await service.StopAsync();
        await service.DisposeAsync();
        await bridge.Finished.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var safe = (int)Quantiser.Code(Math.Clamp(0.0, system.Spec.Dac.Min, system.Spec.Dac.Max), system.Spec.Dac.Min,
            system.Spec.Dac.Max, 12);
        Assert.Equal(safe, bridge.LastCode(0));
        Assert.Equal(RecordingBridge.DefaultSafeCode, bridge.LastCode(1));
        Assert.True(File.Exists(Path.Combine(watched, "many.csv")),
            "an interrupted file stays to be classified again at the next start");
    }

    public void Dispose() => _folder.Dispose();

    private string Rows(int count)
        => string.Join('\n',
            Enumerable.Range(0,
                count).Select(i
                    => string.Join(',',
                        vowels.Task.Test.Row(i % vowels.Task.Test.Count).ToArray()
                            .Select(v => v.ToString(CultureInfo.InvariantCulture))))) + "\n";

    private Dictionary<string, string?> StoreEnvironment(string system, string deviceId) => new()
    {
        ["EDGE_DEVICE__SYSTEM"] = system,
        ["EDGE_DEVICE__DEVICEID"] = deviceId,
        ["EDGE_MODELS__STOREDIRECTORY"] = _folder.File(deviceId + "-store"),
        ["EDGE_MODELS__PUBLICKEYPATH"] = vowels.PublicKeyPath,
        ["EDGE_MODELS__CALIBRATIONSETPATH"] = vowels.CalibrationPath,
    };

    /// <summary>An untrained duffing vowel model: what it answers does not matter here, only that it drives the
    /// DAC.</summary>
    private byte[] DuffingPackage(IPhysicalSystem system)
    {
        var model = PnnArchitectures.ForSystem(system.Name, system.CreateDevice("trainer", 1), 12,
            vowels.Task.ClassCount, maxBatch: 64, seed: 3);
        using var stream = new MemoryStream();
        ModelPackager.Write(stream, model, twin: null,
            new PackageMetadata(1, "vowels", vowels.Task.ClassNames, vowels.Calibration,
                "tests") { Targets = new(["park-direct"]) }, vowels.Key);
        return stream.ToArray();
    }

    private async Task InstallAsync(Dictionary<string, string?> env, byte[] package)
    {
        var path = _folder.File(Guid.NewGuid().ToString("N") + ".edgepkg");
        await File.WriteAllBytesAsync(path, package, TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", path);
        Assert.True(code == ExitCodes.Success, error);
    }

    /// <summary>The Direct backend on an MCP4922 and MCP3208 emulator wired to the noise-free part, as the emulated
    /// backend builds it.</summary>
    private static (DirectLayerDevice Device, Mcp4922Emulator Dac, AnalogBench Bench,
        VoltageLog Log) EmulatedDirect(IPhysicalSystem system, string deviceId)
    {
        var part = system.CreateDevice(deviceId, 1, Imperfections.None);
        var clock = new VirtualClock();
        var bench = new AnalogBench((ISampledPhysics)system.Physics, part.PartCoefficients, clock, 3.3 * 4095 / 4096,
            3.3);
        var dacChip = new Mcp4922Emulator(clock, 3.3, 3.3, 3.3, 10_000_000);
        var log = new VoltageLog(bench.Drive);
        dacChip.Connect(0, log);
        var adcChip = new Mcp3xxxEmulator(clock, 12, 3.3, 1_000_000);
        adcChip.Connect(0, bench.Response);
        var device = new DirectLayerDevice(system.Spec, deviceId, new Mcp4922(dacChip).Channel(Mcp4922Channel.A),
            Mcp3xxxInput.Mcp3208(adcChip, 0), clock);
        return (device, dacChip, bench, log);
    }

    /// <summary>Sits on the wire between the DAC and the layer and remembers what the DAC drove.</summary>
    private sealed class VoltageLog(IAnalogSink next) : IAnalogSink
    {
        private readonly List<double> _volts = [];

        public double Last
        {
            get
            {
                lock (_volts)
                {
                    return _volts[^1];
                }
            }
        }

        public int DrivenSets(double safeVolts)
        {
            lock (_volts)
            {
                return _volts.Count(v => Math.Abs(v - safeVolts) > 1e-9);
            }
        }

        public void SetVolts(double volts)
        {
            lock (_volts)
            {
                _volts.Add(volts);
            }

            next.SetVolts(volts);
        }
    }
}
