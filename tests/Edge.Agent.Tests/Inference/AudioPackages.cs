using System.Security.Cryptography;
using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

[assembly: AssemblyFixture(typeof(Edge.Agent.Tests.Inference.AudioPackages))]

namespace Edge.Agent.Tests.Inference;

/// <summary>
/// A real spoken-digit model trained once for all tests: the electronic hybrid PNN on the reduced FSDD set (recordings
/// 0–4 test, 5–9 train) with ideal gradients, packaged with its audio front end and standardisation (manifest schema
/// 2).
/// </summary>
public sealed class AudioPackages : IAsyncLifetime, IDisposable
{
    public const string System = "electronic";
    public const string DeviceId = "sim-0001";

    private readonly TempDirectory _folder = new();
    private TrustedKeys? _trust;

    public ECDsa Key { get; } = PackageSigning.CreateKey();

    /// <summary>A trust set holding the public half of <see cref="Key"/>.</summary>
    public TrustedKeys Trust => _trust ??= TrustedKeys.Of(PackageSigning.PublicKeyOf(Key));

    public string PublicKeyPath => _folder.File("trainer.pub.pem");

    public string CalibrationPath => _folder.File("calibration.csv");

    public FsddDataset Corpus { get; private set; } = null!;

    public ClassificationTask Task { get; private set; } = null!;

    public AudioInputEncoding Audio { get; private set; } = null!;

    public PnnModel Trained { get; private set; } = null!;

    public double TrainedAccuracy { get; private set; }

    private byte[] Calibration { get; set; } = [];

    private MlpTwin Twin { get; set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var token = TestContext.Current.CancellationToken;
        Corpus = FsddDataset.Load(maxIndex: 9);
        Task = Corpus.Conventional();
        Audio = FsddAudioInput.Conventional(Corpus, Task);
        var device = PhysicalSystems.Get(System).CreateDevice(DeviceId, seed: 5);
        var twinData = await TwinData.CollectAsync(device,
            new TwinDataOptions { Samples = 1_200, NoiseFloorSamples = 100 }, seed: 17, cancellationToken: token);
        Twin = MlpTwinFitter.Fit(twinData, new MlpTwinOptions { Epochs = 4, Hidden = [32, 32] }, seed: 23,
            cancellationToken: token).Twin;
        Trained = PnnArchitectures.ForSystem(System, device, Task.Train.FeatureCount, Task.ClassCount, maxBatch: 256,
            seed: 0);
        var result = await PnnTrainer.TrainAsync(Trained, Task, TrainingMode.Ideal, Twin, twinData,
            new TrainingOptions { Epochs = 12, LearningRate = 0.01, EvaluationPasses = 1, CurveEvery = 0 }, seed: 0,
                cancellationToken: token);
        TrainedAccuracy = result.TestAccuracy;

        var labels = new string[Task.Test.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = Task.ClassNames[Task.Test.Labels[i]];
        }

        Calibration = CalibrationSet.Format(labels, Task.Test.Features, Task.Test.FeatureCount);
        await File.WriteAllBytesAsync(CalibrationPath, Calibration, token);
        await File.WriteAllTextAsync(PublicKeyPath, Key.ExportSubjectPublicKeyInfoPem(), token);
    }

    /// <summary>
    /// The signed package of the trained model as <paramref name="version"/>, taking sound as <see cref="Audio"/>
    /// describes unless <paramref name="audioInput"/> says otherwise, for <see cref="DeviceId"/> unless
    /// <paramref name="targets"/> say otherwise.
    /// </summary>
    public byte[] Package(int version, ModelTargets? targets = null, AudioInputEncoding? audioInput = null)
    {
        using var stream = new MemoryStream();
        var metadata = new PackageMetadata(version, "fsdd", Task.ClassNames, Calibration, "tests")
        {
            AudioInput = audioInput ?? Audio,
            Targets = targets ?? new([DeviceId]),
        };
        ModelPackager.Write(stream, Trained, Twin, metadata, Key);
        return stream.ToArray();
    }

    /// <summary>Test recordings (index 0–4) in corpus order, with their full paths; the i-th is row i of the test
    /// split.</summary>
    public IReadOnlyList<(string Path, int Digit)> TestRecordings()
        => [.. Corpus.Recordings.Where(r => r.Index <= 4).Select(r => (DataPaths.File("fsdd", r.File), r.Digit))];

    /// <summary>Settings of an agent whose store trusts this fixture's key and holds its calibration set.</summary>
    public Dictionary<string, string?> StoreEnvironment(string storeDirectory) => new()
    {
        ["EDGE_DEVICE__SYSTEM"] = System,
        ["EDGE_DEVICE__DEVICEID"] = DeviceId,
        ["EDGE_MODELS__STOREDIRECTORY"] = storeDirectory,
        ["EDGE_MODELS__PUBLICKEYPATH"] = PublicKeyPath,
        ["EDGE_MODELS__CALIBRATIONSETPATH"] = CalibrationPath,
    };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
        Key.Dispose();
        _trust?.Dispose();
        _folder.Dispose();
    }
}
