using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Export;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Tests.Shared.Commissioning;

/// <summary>
/// A product line in the field, as real processes: mosquitto with the shipped configuration, one
/// <c>edge-agent run</c> per part (the part is the device id: <see cref="TrainedPart"/>, the part the product-line
/// model was trained on, and the new parts), each with a model store holding the product-line package of the fleet
/// <see cref="Fleet"/>; the trainer's key, the calibration set (the vowel test split) and the package on disk.
/// </summary>
public sealed class CommissionField : IAsyncDisposable
{
    /// <summary>The part the product-line model is trained on: the agent's default part.</summary>
    public const string TrainedPart = PhysicalSystems.DefaultPartId;

    /// <summary>The fleet (product line) the package is signed for.</summary>
    public const string Fleet = "vowel-line";

    private CommissionField(string folder, FaultBroker broker, IReadOnlyList<FaultAgent> agents, string system)
    {
        (Folder, Broker, Agents, System) = (folder, broker, agents, system);
    }

    /// <summary>The physical system every part is (electronic unless the field was started with another).</summary>
    public string System { get; }

    /// <summary>The field's folder.</summary>
    public string Folder { get; }

    /// <summary>mosquitto with the shipped configuration.</summary>
    public FaultBroker Broker { get; }

    /// <summary>One agent per part, the trained part first.</summary>
    public IReadOnlyList<FaultAgent> Agents { get; }

    /// <summary>The task (vowels).</summary>
    public ClassificationTask Task { get; } = VowelDataset.Load();

    /// <summary>The trainer's private key (PEM).</summary>
    public string PrivateKey => Path.Combine(Folder, "trainer.pem");

    /// <summary>The calibration set every agent holds.</summary>
    public string Calibration => Path.Combine(Folder, "calibration.csv");

    /// <summary>The product-line package (v1, fleet <see cref="Fleet"/>).</summary>
    public string ProductLinePackage => Path.Combine(Folder, "product-line-v1.edgepkg");

    /// <summary>The trainer's store (ledgers).</summary>
    public string StorePath => Path.Combine(Folder, "trainer.db");

    /// <summary>Where the trainer keeps the packages it offers.</summary>
    public string PackageDirectory => Path.Combine(Folder, "packages");

    /// <summary>
    /// Trains the product-line model on <see cref="TrainedPart"/> (<paramref name="epochs"/> epochs, exact gradients
    /// of a simulated copy of the part), signs it, starts the broker and one agent per part with it installed; each
    /// agent gets <paramref name="agentSettings"/> (<c>EDGE_…</c> variables) and the broker also certifies the
    /// service identities <paramref name="services"/> (e.g. <c>operator</c>). The parts are of
    /// <paramref name="system"/> (<see cref="FaultAgent.System"/> unless given).
    /// </summary>
    public static async Task<CommissionField> StartAsync(
        string folder,
        FaultExecutables executables,
        IReadOnlyList<string> newParts,
        int epochs,
        IReadOnlyDictionary<string, string>? agentSettings = null,
        IReadOnlyList<string>? services = null,
        string system = FaultAgent.System)
    {
        ArgumentNullException.ThrowIfNull(executables);
        ArgumentNullException.ThrowIfNull(newParts);
        string[] parts = [TrainedPart, .. newParts];
        // mosquitto drops root for its own user: it must reach the broker folder through the test's folders.
        var root = Directory.CreateDirectory(folder);
        ShippedBrokerFiles.OpenToBroker(root.Parent!);
        ShippedBrokerFiles.OpenToBroker(root);
        var broker = await FaultBroker.CreateAsync(Path.Combine(folder, "broker"), parts, persistence: true, services)
            .ConfigureAwait(false);
        var agents = parts.Select(p => new FaultAgent(executables.Agent, broker, p, Path.Combine(folder, p))).ToList();
        var field = new CommissionField(folder, broker, agents, system);
        try
        {
            await field.WriteProductLineAsync(epochs).ConfigureAwait(false);
            await broker.StartAsync().ConfigureAwait(false);
            foreach (var agent in agents)
            {
                agent.Set("EDGE_DEVICE__SYSTEM", system);
                foreach (var (name, value) in agentSettings ?? new Dictionary<string, string>())
                {
                    agent.Set(name, value);
                }

                await field.InstallAsync(agent).ConfigureAwait(false);
                agent.Start();
            }

            return field;
        }
        catch
        {
            await field.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The trainer's broker options on the service listener (trainer certificate).</summary>
    public BrokerOptions Trainer(string clientId) => new()
    {
        Host = "localhost",
        Port = Broker.ServicePort,
        CaFile = Path.Combine(Broker.Certificates, "ca.crt"),
        CrlFile = Path.Combine(Broker.Certificates, "ca.crl"),
        ClientCertificateFile = Path.Combine(Broker.Certificates, "services", FaultBroker.TrainerIdentity + ".crt"),
        ClientKeyFile = Path.Combine(Broker.Certificates, "services", FaultBroker.TrainerIdentity + ".key"),
        ClientId = clientId,
    };

    /// <summary>
    /// Test accuracy of the model in <paramref name="package"/> run through <paramref name="deviceId"/>'s agent (its
    /// real part, over MQTT), averaged over <paramref name="passes"/> passes.
    /// </summary>
    public async Task<double> AccuracyAsync(
        string deviceId, string package, int passes, CancellationToken cancellationToken = default)
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(LoadKey()));
        var system = PhysicalSystems.Get(System);
        var tracked = new FieldPackageLoader(trust, system, Task.Test.Count).Load(deviceId, package);
        var options = new RemoteDeviceOptions { DeviceId = deviceId, Broker = Trainer($"evaluate-{deviceId}") };
        await using var remote = await RemoteDevice.ConnectAsync(options, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var (features, classes) = (Task.Train.FeatureCount, Task.ClassCount);
        var model = PnnArchitectures.ForSystem(system.Name, remote, features, classes, Task.Test.Count, seed: 0);
        tracked.LoadInto(model);
        var result = await PnnTrainer.EvaluateAsync(model, Task, PassKind.Device, passes, cancellationToken)
            .ConfigureAwait(false);
        return result.Accuracy;
    }

    /// <summary>The trainer's signing key.</summary>
    public System.Security.Cryptography.ECDsa LoadKey() => PackageSigning.LoadPrivateKey(PrivateKey);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var agent in Agents)
        {
            agent.Dispose();
        }

        Broker.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WriteProductLineAsync(int epochs)
    {
        var system = PhysicalSystems.Get(System);
        var part = system.CreateDevice(TrainedPart, seed: 11);
        var collect = new TwinDataOptions { Samples = 2_000, NoiseFloorSamples = 50 };
        var data = await TwinData.CollectAsync(part, collect, seed: 17).ConfigureAwait(false);
        var fit = new MlpTwinOptions { Hidden = [64, 64], Epochs = 15, HalvingEpochs = 5 };
        var twin = MlpTwinFitter.Fit(data, fit, seed: 23).Twin;
        var maxBatch = Math.Max(64, Task.Test.Count);
        var model = PnnArchitectures.ForSystem(
            system.Name, part, Task.Train.FeatureCount, Task.ClassCount, maxBatch, seed: 3);
        var training = new TrainingOptions { Epochs = epochs, EvaluationPasses = 1, CurveEvery = 0 };
        await PnnTrainer.TrainAsync(model, Task, TrainingMode.Ideal, twin, data, training, seed: 3)
            .ConfigureAwait(false);

        var labels = Task.Test.Labels.Select(l => Task.ClassNames[l]).ToArray();
        var calibration = CalibrationSet.Format(labels, Task.Test.Features, Task.Test.FeatureCount);
        await File.WriteAllBytesAsync(Calibration, calibration).ConfigureAwait(false);
        using var key = PackageSigning.CreateKey();
        await File.WriteAllTextAsync(PrivateKey, key.ExportPkcs8PrivateKeyPem()).ConfigureAwait(false);
        await File.WriteAllTextAsync(PublicKey, key.ExportSubjectPublicKeyInfoPem()).ConfigureAwait(false);
        var metadata = new PackageMetadata(1, Task.Name, Task.ClassNames, calibration, "product-line")
        {
            Targets = new([], Fleet),
        };
        await using var package = File.Create(ProductLinePackage);
        ModelPackager.Write(package, model, twin, metadata, key);
    }

    private string PublicKey => Path.Combine(Folder, "trainer.pub.pem");

    // edge-agent models install, as an operator does when the part leaves the factory.
    private async Task InstallAsync(FaultAgent agent)
    {
        agent.Set("EDGE_MODELS__STOREDIRECTORY", Path.Combine(agent.Folder, "models"));
        agent.Set("EDGE_MODELS__PUBLICKEYPATH", PublicKey);
        agent.Set("EDGE_MODELS__CALIBRATIONSETPATH", Calibration);
        agent.Set("EDGE_MODELS__FLEET", Fleet);
        using var install = agent.StartCommand(["models", "install", ProductLinePackage]);
        if (!await install.WaitForExitAsync(TimeSpan.FromSeconds(180)).ConfigureAwait(false) || install.ExitCode != 0)
        {
            throw new InvalidOperationException($"edge-agent models install failed on {agent.DeviceId}:\n"
                + install.Tail());
        }
    }
}
