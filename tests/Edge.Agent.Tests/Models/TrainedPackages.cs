using System.Security.Cryptography;
using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

[assembly: AssemblyFixture(typeof(Edge.Agent.Tests.Models.TrainedPackages))]

namespace Edge.Agent.Tests.Models;

/// <summary>
/// A real small model trained once for all tests: the electronic vowel PNN trained with ideal gradients on a simulated
/// part, a small black-box twin, the vowel test split as calibration set, a signing key, and packages built from them.
/// </summary>
public sealed class TrainedPackages : IAsyncLifetime, IDisposable
{
    public const string System = "electronic";
    public const string DeviceId = "sim-0001";

    private readonly TempDirectory _folder = new();
    private TrustedKeys? _trust;

    public ECDsa Key { get; } = PackageSigning.CreateKey();

    public ECDsa OtherKey { get; } = PackageSigning.CreateKey();

    /// <summary>A trust set holding the public half of <see cref="Key"/>.</summary>
    public TrustedKeys Trust => _trust ??= TrustedKeys.Of(PackageSigning.PublicKeyOf(Key));

    public string PublicKeyPath => _folder.File("trainer.pub.pem");

    public string CalibrationPath => _folder.File("calibration.csv");

    public byte[] Calibration { get; private set; } = [];

    public ClassificationTask Task { get; private set; } = null!;

    public PnnModel Trained { get; private set; } = null!;

    public PnnModel Untrained { get; private set; } = null!;

    /// <summary>An untrained wide hybrid (two banks of two branches): what packages of banks are built from.</summary>
    public PnnModel Wide { get; private set; } = null!;

    public MlpTwin Twin { get; private set; } = null!;

    public double TrainedAccuracy { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var token = TestContext.Current.CancellationToken;
        Task = VowelDataset.Load();
        var system = PhysicalSystems.Get(System);
        var device = system.CreateDevice(DeviceId, seed: 5);
        var twinData = await TwinData.CollectAsync(device,
            new TwinDataOptions { Samples = 1_200, NoiseFloorSamples = 100 }, seed: 17, cancellationToken: token);
        Twin = MlpTwinFitter.Fit(twinData, new MlpTwinOptions { Epochs = 4, Hidden = [32, 32] }, seed: 23,
            cancellationToken: token).Twin;
        Trained = NewModel(device, seed: 0);
        var result = await PnnTrainer.TrainAsync(Trained, Task, TrainingMode.Ideal, Twin, twinData,
            new TrainingOptions { Epochs = 30, EvaluationPasses = 1, CurveEvery = 0, LearningRate = 0.02 }, seed: 0,
                cancellationToken: token);
        TrainedAccuracy = result.TestAccuracy;
        Untrained = NewModel(system.CreateDevice(DeviceId, seed: 6), seed: 9);
        Wide = NewWideModel(system.CreateDevice(DeviceId, seed: 6), seed: 4);

        var labels = new string[Task.Test.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = Task.ClassNames[Task.Test.Labels[i]];
        }

        Calibration = CalibrationSet.Format(labels, Task.Test.Features, Task.Test.FeatureCount);
        await File.WriteAllBytesAsync(CalibrationPath, Calibration, token);
        await File.WriteAllTextAsync(PublicKeyPath, Key.ExportSubjectPublicKeyInfoPem(), token);
    }

    public PnnModel NewModel(Edge.Domain.Devices.IPhysicalDevice device, ulong seed)
        => PnnArchitectures.ForSystem(System, device, VowelDataset.FeatureCount, VowelDataset.ClassNames.Count,
            maxBatch: 64, seed);

    public PnnModel NewWideModel(Edge.Domain.Devices.IPhysicalDevice device, ulong seed)
        => PnnArchitectures.WideHybrid(device, VowelDataset.FeatureCount, VowelDataset.ClassNames.Count, width: 2,
            layers: 2, maxBatch: 64, seed);

    /// <summary>
    /// A signed package of <paramref name="model"/> as <paramref name="version"/>, for <see cref="DeviceId"/> unless
    /// <paramref name="targets"/> say otherwise.
    /// </summary>
    public byte[] Package(
        PnnModel model, int version, ECDsa? key = null, byte[]? calibration = null, ModelTargets? targets = null)
    {
        using var stream = new MemoryStream();
        var metadata = new PackageMetadata(version, "vowels", Task.ClassNames, calibration ?? Calibration, "tests")
        {
            Targets = targets ?? new([DeviceId]),
        };
        ModelPackager.Write(stream, model, Twin, metadata, key ?? Key);
        return stream.ToArray();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
        Key.Dispose();
        OtherKey.Dispose();
        _trust?.Dispose();
        _folder.Dispose();
    }
}
