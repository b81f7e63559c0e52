using System.Security.Cryptography;
using Edge.Agent.Messaging;
using Edge.Domain.Data;
using Edge.Domain.Devices;
using Edge.Domain.IO;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>
/// A field-update bench on the shipped mosquitto configuration: a real agent (<see cref="ShippedBroker.DeviceA"/>)
/// serving PAT from its simulated part, whose verdicts on offers an <see cref="OfferVerdicts"/> decides; the signed
/// v1 package it runs; a measurement store; and trainers (<see cref="FieldTrainer"/>) that can be stopped and started
/// again on the same store, as a restarted <c>serve</c> is.
/// </summary>
public sealed class FieldLab : IAsyncDisposable
{
    public const string Device = ShippedBroker.DeviceA;

    private readonly TempFolder _folder = new();
    private readonly ECDsa _key = PackageSigning.CreateKey();
    private readonly TrustedKeys _trust;
    private ShippedBroker? _broker;
    private AgentInstance? _agent;
    private ulong _batches;

    private FieldLab() => _trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));

    public ClassificationTask Task { get; private init; } = VowelDataset.Load();

    /// <summary>Decides the agent's verdicts and reports its active version in its status.</summary>
    public OfferVerdicts Verdicts { get; private set; } = null!;

    /// <summary>The agent's simulated part (warm it up to make it drift).</summary>
    public SimulatedDevice Part { get; private set; } = null!;

    /// <summary>The <c>--watch</c> package: v1, signed, with the twin fitted on the part.</summary>
    public string WatchedPackage => _folder.Path("dev-a-v1.edgepkg");

    /// <summary>The lab's broker (the shipped configuration).</summary>
    public ShippedBroker Broker => _broker!;

    /// <summary>The key the lab's packages are signed with, as trainers and agents trust it.</summary>
    public TrustedKeys Trust => _trust;

    /// <summary>Where trainers keep the packages they offer.</summary>
    public string PackageDirectory => _folder.Path("field-updates");

    public string StorePath => _folder.Path("trainer.db");

    /// <summary>
    /// Starts the lab; the watched package holds <paramref name="recipe"/>'s network and recipe, else the standard
    /// network and no recipe (a package from before recipes).
    /// </summary>
    public static async Task<FieldLab> StartAsync(TrainingRecipe? recipe = null, ClassificationTask? task = null)
    {
        var lab = new FieldLab { Task = task ?? VowelDataset.Load() };
        lab._broker = await ShippedBroker.StartAsync();
        lab.Verdicts = new OfferVerdicts(lab._trust);
        lab._agent = await AgentInstance.StartAsync(
            lab._broker.DevicePort,
            Device,
            lab._folder.Path("outbox.db"),
            lab._broker.AgentSettings(Device),
            s => s.AddSingleton<IModelOfferHandler>(lab.Verdicts).AddSingleton<IActiveModelSource>(lab.Verdicts));
        lab.Part = (SimulatedDevice)lab._agent.Services.GetRequiredService<IPhysicalDevice>();
        await lab.WriteWatchedPackageAsync(recipe);
        return lab;
    }

    /// <summary>Stores <paramref name="count"/> measurements of the part as it is now, newer than all before.</summary>
    public async Task MeasureAsync(int count)
    {
        var seed = ++_batches;
        await using var store = await MeasurementStore.OpenAsync(StorePath, TestContext.Current.CancellationToken);
        var drives = PatLoopTests.Drives(Part.Spec, count, seed + 1000);
        var responses = new float[count * Part.Spec.OutputSize];
        Part.Forward(drives, responses);
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)(seed * 100_000);
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        var times = Enumerable.Range(0, count).Select(i => start + i).ToArray();
        var spec = Part.Spec;
        var inputs = new float[count * spec.InputSize];
        var batch = new MeasurementBatch(
            spec.InputSize, spec.DriveLength, spec.OutputSize, ids, times, inputs, drives, responses);
        await store.AddAsync(Device, batch, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// The documented <c>edge-trainer serve --watch</c> command for the lab's agent on the shipped broker, checking
    /// every second with a short session (small twin refit, one PAT epoch) and no cooldown.
    /// </summary>
    public string[] ServeArguments()
    {
        var keyFile = _folder.Path("trainer.pem");
        var calibration = _folder.Path("calibration.csv");
        File.WriteAllText(keyFile, _key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(calibration, [1, 2, 3]);
        var certificates = _broker!.Certificates;
        return
        [
            "serve", "--broker", $"mqtts://localhost:{_broker.ServicePort}",
            "--ca-file", Path.Combine(certificates, "ca.crt"),
            "--client-cert", Path.Combine(certificates, "services", "trainer.crt"),
            "--client-key", Path.Combine(certificates, "services", "trainer.key"),
            "--store", StorePath, "--watch", $"{Device}={WatchedPackage}",
            "--signing-key", keyFile, "--calibration", calibration,
            "--task", "vowels", "--system", AgentInstance.System,
            "--check-every", "00:00:01", "--cooldown", "00:00:00",
            "--drift-samples", "300", "--drift-min-samples", "150",
            "--update-twin-samples", "400", "--update-epochs", "1", "--update-packages", PackageDirectory,
        ];
    }

    /// <summary>Starts a trainer on the lab's store, watching the v1 package (as the documented command does), on
    /// <paramref name="clock"/> (the system clock unless given).
    /// </summary>
    /// <param name="policy">When to re-train.</param>
    /// <param name="clock">The trainer's time.</param>
    /// <param name="settingsTask">The task of the trainer's settings (<c>--task</c>), the lab's unless given.</param>
    /// <param name="logger">Receives what the service logs; nothing unless given.</param>
    public async Task<FieldTrainer> StartTrainerAsync(
        FieldUpdatePolicy policy,
        TimeProvider? clock = null,
        ClassificationTask? settingsTask = null,
        ILogger? logger = null)
    {
        var metrics = new TrainerMetrics();
        var store = await MeasurementStore.OpenAsync(StorePath, TestContext.Current.CancellationToken);
        var settings = new FieldPatSettings
        {
            Broker = _broker!.Trainer("edge-trainer-updates"),
            Task = settingsTask ?? Task,
            System = AgentInstance.System,
            SigningKey = _key,
            CalibrationSet = [1, 2, 3],
            Training = FieldPatSettings.FineTuning with { Epochs = 1 },
            TwinData = new TwinDataOptions { Samples = 400, NoiseFloorSamples = 20 },
            TwinFit = new MlpTwinOptions { Hidden = [64, 64], Epochs = 4, HalvingEpochs = 2 },
            OfferTimeout = TimeSpan.FromSeconds(30),
            PackageDirectory = PackageDirectory,
        };
        var loader = new FieldPackageLoader(_trust, PhysicalSystems.Get(AgentInstance.System), Task.Test.Count);
        var session = new FieldPatSession(settings, metrics, clock);
        var service = new FieldUpdateService(
            store, policy, session, logger ?? NullLogger.Instance, metrics, clock, packages: loader);
        service.Track(loader.Load(Device, WatchedPackage));
        return new FieldTrainer(service, store, metrics);
    }

    /// <summary>
    /// Commissioning as <c>serve --commission</c> builds it (<see cref="CommissioningDefaults.Session"/>, a short
    /// session: 400 twin drives, one PAT epoch) with the watched package as the product-line package, its ledgers in
    /// <paramref name="store"/>; the trainer's <c>--task</c> is <paramref name="settingsTask"/>.
    /// </summary>
    public PartCommissioning Commissioning(ClassificationTask settingsTask, MeasurementStore store)
    {
        var system = PhysicalSystems.Get(AgentInstance.System);
        var settings = CommissioningDefaults.Session(
            _broker!.Trainer("edge-trainer-commission"), settingsTask, system.Name, _key, [1, 2, 3], 400, 1) with
        {
            PackageDirectory = PackageDirectory,
        };
        return new PartCommissioning(
            new FieldPatSession(settings),
            new FieldPackageLoader(_trust, system, Task.Test.Count),
            store,
            new CommissioningSettings { ProductLinePackage = WatchedPackage },
            NullLogger.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _trust.Dispose();
        _key.Dispose();
        _folder.Dispose();
    }

    private async Task WriteWatchedPackageAsync(TrainingRecipe? recipe)
    {
        var token = TestContext.Current.CancellationToken;
        var collect = new TwinDataOptions { Samples = 3_000, NoiseFloorSamples = 50 };
        var data = await TwinData.CollectAsync(Part, collect, 5, cancellationToken: token);
        var fit = new MlpTwinOptions { Hidden = [64, 64], Epochs = 30, HalvingEpochs = 10 };
        var twin = MlpTwinFitter.Fit(data, fit, 7, cancellationToken: token).Twin;
        var (features, classes, batch) = (Task.Train.FeatureCount, Task.ClassCount, Math.Max(32, Task.Test.Count));
        var model = recipe is null
            ? PnnArchitectures.ForSystem(AgentInstance.System, Part, features, classes, batch, seed: 3)
            : new TrainingPipeline(recipe, threads: 1, task: Task).BuildNetwork(Part, TrainingMode.Pat, seed: 3);
        var metadata = new PackageMetadata(1, Task.Name, Task.ClassNames, [1, 2, 3], "field-lab")
        {
            Targets = new([Device]),
            Recipe = recipe,
            AudioInput = recipe is null ? null : new TrainingPipeline(recipe, threads: 1, task: Task).AudioInput(),
        };
        AtomicFile.Write(WatchedPackage, stream => ModelPackager.Write(stream, model, twin, metadata, _key));
    }
}

/// <summary>One trainer process: its update service, its own store connection and metrics.</summary>
public sealed class FieldTrainer(FieldUpdateService service, MeasurementStore store, TrainerMetrics metrics)
    : IAsyncDisposable
{
    public FieldUpdateService Service { get; } = service;

    public TrainerMetrics Metrics { get; } = metrics;

    public List<FieldDecision> Decisions { get; } = Track(service);

    public FieldDevice Device => Service.Devices[0];

    public Task<IReadOnlyList<FieldUpdateOutcome>> CheckAsync() =>
        Service.CheckOnceAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => store.DisposeAsync();

    private static List<FieldDecision> Track(FieldUpdateService service)
    {
        var decisions = new List<FieldDecision>();
        service.Decided += (_, decision) => decisions.Add(decision);
        return decisions;
    }
}

/// <summary>
/// Stands in for the agent's model store (tested on its own in Edge.Agent.Tests), so a test chooses the verdict:
/// it verifies each offered package's signature, accepts or refuses it as <see cref="Accept"/> says, and reports
/// the active version, which the agent's retained status carries.
/// </summary>
public sealed class OfferVerdicts(TrustedKeys trust) : IModelOfferHandler, IActiveModelSource
{
    private readonly Lock _gate = new();
    private readonly List<(int Version, string Sha256)> _offered = [];

    public bool Accept { get; set; } = true;

    public int? ActiveVersion { get; private set; } = 1;

    public event Action? ActiveChanged;

    /// <summary>Every version offered, with the hash of its package, in order.</summary>
    public List<(int Version, string Sha256)> Offered
    {
        get
        {
            lock (_gate)
            {
                return [.. _offered];
            }
        }
    }

    public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
    {
        var version = ModelPackageReader.Read(offer.Package.Span, trust).Manifest.ModelVersion;
        lock (_gate)
        {
            _offered.Add((version, FieldPackageLoader.Hash(offer.Package.Span)));
        }

        if (!Accept)
        {
            var refusal = $"v{version} is no better than v{ActiveVersion} on the calibration set";
            return ValueTask.FromResult(new ModelOfferResult(false, refusal));
        }

        ActiveVersion = version;
        ActiveChanged?.Invoke();
        return ValueTask.FromResult(new ModelOfferResult(true, $"activated v{version}"));
    }
}

/// <summary>The system clock moved by a fixed offset: shows which times come from the injected clock.</summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
