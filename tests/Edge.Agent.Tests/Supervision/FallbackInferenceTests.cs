using System.Net;
using System.Net.Sockets;
using Edge.Agent.Configuration;
using Edge.Agent.Inference;
using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Edge.Agent.Supervision;
using Edge.Agent.Tests.Models;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Edge.Trainer.Export;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Supervision;

/// <summary>
/// While the device is parked, inference runs the package's ONNX twin of the physical layer: answers keep coming,
/// flagged degraded, about as accurate as on the device — and neither they nor a parked device without a twin count
/// against the model's health.
/// </summary>
public sealed class FallbackInferenceTests(TrainedPackages vowels) : IDisposable
{
    // Parked stays parked: these tests look at what happens while the device is out.
    private static readonly SupervisionOptions NoProbes = new()
    {
        FirstProbeMilliseconds = 60_000,
        MaxProbeMilliseconds = 60_000,
    };

    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task A_hung_bridge_firmware_parks_the_device_and_the_twin_answers_degraded_with_the_right_classes()
    {
        var token = TestContext.Current.CancellationToken;
        var system = PhysicalSystems.Get(TrainedPackages.System);
        // Hung through its --hang-file, as a fault bench drives the emulator process.
        var hangFile = _folder.File("hang");
        var emulator = new BridgeEmulator(
            system,
            TrainedPackages.DeviceId,
            5,
            new LineFaults(0, 0, 0, 1),
            restSeconds: 0)
        {
            HangFile = hangFile,
        };
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            emulator.Run(client.GetStream(), stop.Token);
        }, token);
        // The default capture slack (2 s): a loaded test machine must not time out a healthy bridge.
        await using var bridge = await BridgeDevice.OpenTcpAsync(
            system.Spec,
            TrainedPackages.DeviceId,
            "127.0.0.1",
            ((IPEndPoint)listener.LocalEndpoint).Port,
            cancellationToken: token);
        await using var supervisor = new DeviceSupervisor(
            bridge, NoProbes, TimeProvider.System, NullLogger<DeviceSupervisor>.Instance);
        var package = await PackageWithFittedTwinAsync(system);
        using var model = new HybridModel(ModelPackageReader.Read(package, vowels.Trust), new DeviceGate(supervisor));
        Assert.True(model.HasTwin);
        var test = vowels.Task.Test;

        var onDevice = await ClassifyAllAsync(model, test, expectDegraded: false);
        await File.WriteAllTextAsync(hangFile, "", token);
        await Task.Delay(200, token); // the emulator looks for the file every 50 ms
        var onTwin = await ClassifyAllAsync(model, test, expectDegraded: true);

        // Whichever gives up first: the capture timeout, or the link after its retransmission limit.
        Assert.Contains(supervisor.Trip!.Fault, new[] { DeviceFault.Timeout, DeviceFault.DeviceError });
        Assert.True(onDevice > 0.6, $"device accuracy {onDevice:P1}");
        Assert.True(onTwin > onDevice - 0.15, $"twin accuracy {onTwin:P1} against the device's {onDevice:P1}");
        await stop.CancelAsync();
        await serve.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Neither_degraded_answers_nor_a_parked_device_without_a_twin_roll_a_good_model_back()
    {
        var device = new BreakableDevice(
            PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11));
        await using var supervisor = new DeviceSupervisor(
            device, NoProbes, TimeProvider.System, NullLogger<DeviceSupervisor>.Instance);
        using var store = ModelStore.Open(Options(), new DeviceGate(supervisor), NullLogger.Instance);
        Assert.True((await Install(store, vowels.Package(vowels.Trained, 1))).Accepted);
        Assert.True((await Install(store, PackageWithoutTwin(2))).Accepted);
        var features = vowels.Task.Test.Row(0).ToArray();

        device.Broken = true;
        for (var i = 0; i < 30; i++)
        {
            await Assert.ThrowsAsync<DeviceParkedException>(
                () => store.ClassifyAsync(features, cancellationToken: TestContext.Current.CancellationToken));
        }

        Assert.Equal(2, store.ActiveVersion);
        Assert.Equal(0, store.Health.DeviceErrorRate);
        var offer = await Install(store, vowels.Package(vowels.Untrained, 3));
        Assert.False(offer.Accepted);
        Assert.Contains("parked", offer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validated_model_serves_degraded_answers_from_its_twin_without_feeding_its_health()
    {
        var device = new BreakableDevice(
            PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11));
        await using var supervisor = new DeviceSupervisor(
            device, NoProbes, TimeProvider.System, NullLogger<DeviceSupervisor>.Instance);
        using var store = ModelStore.Open(Options(), new DeviceGate(supervisor), NullLogger.Instance);
        Assert.True((await Install(store, vowels.Package(vowels.Trained, 1))).Accepted);
        var features = vowels.Task.Test.Row(0).ToArray();
        var (healthy, _) = await store.ClassifyAsync(
            features, cancellationToken: TestContext.Current.CancellationToken);
        var confidence = store.Health.MeanConfidence;

        device.Broken = true;
        for (var i = 0; i < 30; i++)
        {
            var (result, version) = await store.ClassifyAsync(
                features, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(result.Degraded);
            Assert.Equal(1, version);
            Assert.Equal(TimeSpan.Zero, result.DeviceTime);
        }

        Assert.False(healthy.Degraded);
        Assert.Equal(confidence, store.Health.MeanConfidence);
        Assert.Equal(1, device.FailedCalls);
    }

    public void Dispose() => _folder.Dispose();

    private static async Task<double> ClassifyAllAsync(
        HybridModel model, Edge.Domain.Data.LabelledSet test, bool expectDegraded)
    {
        var right = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var result = await model.ClassifyAsync(test.Row(i).ToArray(), TestContext.Current.CancellationToken);
            Assert.Equal(expectDegraded, result.Degraded);
            right += result.ClassIndex == test.Labels[i] ? 1 : 0;
        }

        return (double)right / test.Count;
    }

    /// <summary>
    /// The trained model with a twin fitted as the trainer fits one, smaller: the fixture's four-epoch twin is only
    /// meant to make packages, not to stand in for the device.
    /// </summary>
    private async Task<byte[]> PackageWithFittedTwinAsync(IPhysicalSystem system)
    {
        var token = TestContext.Current.CancellationToken;
        var part = system.CreateDevice(TrainedPackages.DeviceId, seed: 5);
        var data = await TwinData.CollectAsync(
            part, new TwinDataOptions { Samples = 4_000, NoiseFloorSamples = 50 }, seed: 17, cancellationToken: token);
        var twin = MlpTwinFitter.Fit(
            data,
            new MlpTwinOptions { Hidden = [64, 64], Epochs = 40, HalvingEpochs = 15 },
            seed: 23,
            cancellationToken: token).Twin;
        using var stream = new MemoryStream();
        var metadata = new PackageMetadata(1, "vowels", vowels.Task.ClassNames, vowels.Calibration, "tests")
        {
            Targets = new([TrainedPackages.DeviceId]),
        };
        ModelPackager.Write(stream, vowels.Trained, twin, metadata, vowels.Key);
        return stream.ToArray();
    }

    private ModelsOptions Options() => new()
    {
        StoreDirectory = _folder.File("store"),
        PublicKeyPath = vowels.PublicKeyPath,
        CalibrationSetPath = vowels.CalibrationPath,
        HealthWindow = 10,
        MinMeanConfidence = 0.35,
        MaxDeviceErrorRate = 0.2,
    };

    private static Task<InstallResult> Install(ModelStore store, byte[] package)
        => store.InstallAsync(new MemoryStream(package), TestContext.Current.CancellationToken);

    private byte[] PackageWithoutTwin(int version)
    {
        using var stream = new MemoryStream();
        var metadata = new PackageMetadata(version, "vowels", vowels.Task.ClassNames, vowels.Calibration, "tests")
        {
            Targets = new([TrainedPackages.DeviceId]),
        };
        ModelPackager.Write(stream, vowels.Trained, twin: null, metadata, vowels.Key);
        return stream.ToArray();
    }

    /// <summary>A simulated part whose calls fail with an I/O error once broken, as a bus that lost the chip.</summary>
    private sealed class BreakableDevice(IPhysicalDevice inner) : IPhysicalDevice
    {
        private int _failed;

        public bool Broken { get; set; }

        public int FailedCalls => Volatile.Read(ref _failed);

        public LayerSpec Spec => inner.Spec;

        public string DeviceId => inner.DeviceId;

        public ValueTask ForwardAsync(
            ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        {
            if (Broken)
            {
                Interlocked.Increment(ref _failed);
                throw new IOException("I2C device 0x48 on bus 1 did not acknowledge.");
            }

            return inner.ForwardAsync(drives, responses, cancellationToken);
        }
    }
}
