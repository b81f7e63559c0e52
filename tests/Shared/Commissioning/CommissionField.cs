using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Shared.Commissioning;

/// <summary>
/// A product line in the field, as real processes: mosquitto with the shipped configuration, one
/// <c>edge-agent run</c> per part (the part is the device id: <see cref="TrainedPart"/>, the part the product-line
/// model was trained on, and the new parts), each with a model store holding the product-line package of the fleet
/// <see cref="Fleet"/>; the trainer's key, the calibration set (the task's test split) and the package on disk. The
/// product line is any <see cref="ProductLine"/> recipe: vowels, or spoken digits with their audio front end.
/// </summary>
public sealed class CommissionField : IAsyncDisposable
{
    /// <summary>The part the product-line model is trained on: the agent's default part.</summary>
    public const string TrainedPart = PhysicalSystems.DefaultPartId;

    private readonly ProductLine _productLine;

    private CommissionField(string folder, FaultBroker broker, IReadOnlyList<FaultAgent> agents, ProductLine line)
    {
        (Folder, Broker, Agents, _productLine) = (folder, broker, agents, line);
        Pipeline = new TrainingPipeline(line.Recipe, line.Threads);
    }

    /// <summary>The fleet (product line) the package is signed for.</summary>
    public string Fleet => _productLine.Fleet;

    /// <summary>The pipeline of the product line's recipe (its task, network and front end).</summary>
    public TrainingPipeline Pipeline { get; }

    /// <summary>The training run of the product-line model (its test accuracy on the simulated part).</summary>
    public PipelineRun? ProductLineRun { get; private set; }

    /// <summary>The physical system every part is (the product line's).</summary>
    public string System => _productLine.Recipe.System;

    /// <summary>The field's folder.</summary>
    public string Folder { get; }

    /// <summary>mosquitto with the shipped configuration.</summary>
    public FaultBroker Broker { get; }

    /// <summary>One agent per part, the trained part first.</summary>
    public IReadOnlyList<FaultAgent> Agents { get; }

    /// <summary>The product line's task (its test split is the calibration set).</summary>
    public ClassificationTask Task => Pipeline.Task;

    /// <summary>The agent of <paramref name="part"/>.</summary>
    public FaultAgent Agent(string part) => Agents.Single(a => a.DeviceId == part);

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
    /// Trains <paramref name="productLine"/>'s model on <see cref="TrainedPart"/>, signs it, starts the broker and
    /// one agent per part (of the product line's system) with it installed; each agent gets
    /// <paramref name="agentSettings"/> (<c>EDGE_…</c> variables) and the broker also certifies the service
    /// identities <paramref name="services"/> (e.g. <c>operator</c>).
    /// </summary>
    public static async Task<CommissionField> StartAsync(
        string folder,
        FaultExecutables executables,
        IReadOnlyList<string> newParts,
        ProductLine productLine,
        IReadOnlyDictionary<string, string>? agentSettings = null,
        IReadOnlyList<string>? services = null)
    {
        ArgumentNullException.ThrowIfNull(executables);
        ArgumentNullException.ThrowIfNull(newParts);
        ArgumentNullException.ThrowIfNull(productLine);
        string[] parts = [TrainedPart, .. newParts];
        // mosquitto drops root for its own user: it must reach the broker folder through the test's folders.
        var root = Directory.CreateDirectory(folder);
        ShippedBrokerFiles.OpenToBroker(root.Parent!);
        ShippedBrokerFiles.OpenToBroker(root);
        var broker = await FaultBroker.CreateAsync(Path.Combine(folder, "broker"), parts, persistence: true, services)
            .ConfigureAwait(false);
        var agents = parts.Select(p => new FaultAgent(executables.Agent, broker, p, Path.Combine(folder, p))).ToList();
        var field = new CommissionField(folder, broker, agents, productLine);
        try
        {
            await field.WriteProductLineAsync().ConfigureAwait(false);
            await broker.StartAsync().ConfigureAwait(false);
            foreach (var agent in agents)
            {
                agent.Set("EDGE_DEVICE__SYSTEM", field.System);
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
        // Commissioning keeps the product line's network, so the product line's pipeline builds every package's.
        var model = Pipeline.BuildNetwork(remote, TrainingMode.Pat, seed: 0);
        tracked.LoadInto(model);
        var result = await PnnTrainer.EvaluateAsync(model, Task, PassKind.Device, passes, cancellationToken)
            .ConfigureAwait(false);
        return result.Accuracy;
    }

    /// <summary>
    /// The commissioning <c>serve --commission</c> runs (<see cref="CommissioningDefaults"/>, unless
    /// <paramref name="twinSamples"/> or <paramref name="epochs"/> say otherwise), from this field's product-line
    /// package, recording in <paramref name="store"/> and keeping offered packages in <see cref="PackageDirectory"/>
    /// (<c>{part}-v{version}.edgepkg</c>). <paramref name="key"/> and <paramref name="trust"/> must stay open while it
    /// is used.
    /// </summary>
    public PartCommissioning Commissioning(
        MeasurementStore store,
        System.Security.Cryptography.ECDsa key,
        TrustedKeys trust,
        int twinSamples = CommissioningDefaults.TwinSamples,
        int epochs = CommissioningDefaults.Epochs)
    {
        var settings = CommissioningDefaults.Session(
            Trainer("field-commission"), Task, System, key, File.ReadAllBytes(Calibration), twinSamples, epochs) with
        {
            PackageDirectory = PackageDirectory,
        };
        return new PartCommissioning(
            new FieldPatSession(settings),
            new FieldPackageLoader(trust, PhysicalSystems.Get(System), Task.Test.Count),
            store,
            new CommissioningSettings { ProductLinePackage = ProductLinePackage },
            NullLogger.Instance);
    }

    /// <summary>The package commissioning offered <paramref name="part"/> as <paramref name="version"/>.</summary>
    public string CommissionedPackage(string part, int version) =>
        Path.Combine(PackageDirectory, $"{part}-v{version}.edgepkg");

    /// <summary>
    /// Waits until <paramref name="part"/>'s agent has published its status (a freshly started agent takes a few
    /// seconds), so a commissioning does not fail on an agent that is still connecting.
    /// </summary>
    /// <exception cref="TimeoutException">No status within <paramref name="timeout"/>.</exception>
    public async Task WaitForAgentAsync(string part, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await AgentStatusProbe.ReadAsync(
                   Trainer($"wait-{part}"), part, TimeSpan.FromSeconds(5), cancellationToken: cancellationToken)
                   .ConfigureAwait(false) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The agent of {part} published no status within {timeout}.");
            }
        }
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

    private async Task WriteProductLineAsync()
    {
        var run = await _productLine.TrainAsync(Pipeline).ConfigureAwait(false);
        ProductLineRun = run;
        var calibration = TrainingPipeline.CalibrationFromTestSplit(Task);
        await File.WriteAllBytesAsync(Calibration, calibration).ConfigureAwait(false);
        using var key = PackageSigning.CreateKey();
        await File.WriteAllTextAsync(PrivateKey, key.ExportPkcs8PrivateKeyPem()).ConfigureAwait(false);
        await File.WriteAllTextAsync(PublicKey, key.ExportSubjectPublicKeyInfoPem()).ConfigureAwait(false);
        await using var package = File.Create(ProductLinePackage);
        Pipeline.WritePackage(
            package, run.Model, run.Twin, 1, new([], Fleet), calibration, "product-line", key, Pipeline.AudioInput());
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
