using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Tests.Shared.Faults;

/// <summary>
/// Signed vowel model packages v1…v3 for the bench's agents (all devices <c>fault-*</c> are targets), the trainer's
/// key pair and the calibration set, written once per process into a folder of their own: the model-store rows
/// install them with the real <c>edge-agent models install</c> and offer them with <c>edge-trainer publish</c>.
/// </summary>
public sealed class FaultModels
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static FaultModels? _made;

    private FaultModels(string folder) => Folder = folder;

    /// <summary>Where the files are.</summary>
    public string Folder { get; }

    /// <summary>The trainer's private key (PEM), which <c>edge-trainer publish</c> does not need but rollbacks do.
    /// </summary>
    public string PrivateKey => Path.Combine(Folder, "trainer.pem");

    /// <summary>The public key the agents trust.</summary>
    public string PublicKey => Path.Combine(Folder, "trainer.pub.pem");

    /// <summary>The calibration set every package carries and the agents validate on.</summary>
    public string Calibration => Path.Combine(Folder, "calibration.csv");

    /// <summary>Package of version <paramref name="version"/> (1…3).</summary>
    public string Package(int version) => Path.Combine(Folder, $"vowels-v{version}.edgepkg");

    /// <summary>The packages, trained (ideal gradients, a few epochs) on first use.</summary>
    public static async Task<FaultModels> GetAsync(IReadOnlyList<string> devices)
    {
        await Once.WaitAsync().ConfigureAwait(false);
        try
        {
            return _made ??= await MakeAsync(Directory.CreateTempSubdirectory("edge-fault-models-").FullName, devices)
                .ConfigureAwait(false);
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>The <c>EDGE_MODELS__…</c> settings of an agent whose store is <paramref name="store"/>.</summary>
    public Dictionary<string, string> AgentEnvironment(string store) => new()
    {
        ["EDGE_MODELS__STOREDIRECTORY"] = store,
        ["EDGE_MODELS__PUBLICKEYPATH"] = PublicKey,
        ["EDGE_MODELS__CALIBRATIONSETPATH"] = Calibration,
    };

    private static async Task<FaultModels> MakeAsync(string folder, IReadOnlyList<string> devices)
    {
        var models = new FaultModels(folder);
        var task = VowelDataset.Load();
        var system = PhysicalSystems.Get(FaultAgent.System);
        var device = system.CreateDevice(devices[0], seed: 7);
        var data = await TwinData.CollectAsync(device, new TwinDataOptions { Samples = 800, NoiseFloorSamples = 50 },
            seed: 17).ConfigureAwait(false);
        var twin = MlpTwinFitter.Fit(data, new MlpTwinOptions { Epochs = 3, Hidden = [32, 32] }, seed: 23).Twin;
        var model = PnnArchitectures.ForSystem(
            system.Name, device, task.Train.FeatureCount, task.ClassCount, maxBatch: 64, seed: 0);
        await PnnTrainer.TrainAsync(model, task, TrainingMode.Ideal, twin, data,
            new TrainingOptions { Epochs = 10, EvaluationPasses = 1, CurveEvery = 0, LearningRate = 0.02 }, seed: 0)
            .ConfigureAwait(false);
        var labels = new string[task.Test.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = task.ClassNames[task.Test.Labels[i]];
        }

        var calibration = CalibrationSet.Format(labels, task.Test.Features, task.Test.FeatureCount);
        await File.WriteAllBytesAsync(models.Calibration, calibration).ConfigureAwait(false);
        using var key = PackageSigning.CreateKey();
        await File.WriteAllTextAsync(models.PublicKey, key.ExportSubjectPublicKeyInfoPem()).ConfigureAwait(false);
        await File.WriteAllTextAsync(models.PrivateKey, key.ExportPkcs8PrivateKeyPem()).ConfigureAwait(false);
        for (var version = 1; version <= 3; version++)
        {
            var metadata = new PackageMetadata(version, "vowels", task.ClassNames, calibration, "fault-bench")
            {
                Targets = new([.. devices]),
            };
            await using var package = File.Create(models.Package(version));
            ModelPackager.Write(package, model, twin, metadata, key);
        }

        return models;
    }
}
