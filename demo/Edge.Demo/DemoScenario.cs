using System.Diagnostics;
using Edge.Domain.Data;
using Edge.Domain.IO;
using Edge.Domain.Models;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Recipes;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging;

namespace Edge.Demo;

/// <summary>
/// The whole loop on one machine: a broker, N agents and the trainer. The trainer fits a twin of a live agent's
/// device over MQTT, trains in-silico and with PAT through that agent, signs and publishes the PAT model; every agent
/// validates it on its own part and activates it; the agents classify the test set while streaming sampled
/// measurements; one agent's surroundings warm up, the trainer sees its twin residual rise and re-trains it in the
/// field with PAT, and the agent takes the new version.
/// </summary>
internal sealed class DemoScenario(DemoSettings settings, ILoggerFactory logging)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<DemoResult> RunAsync(Action<string, double> progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.Output);
        var task = VowelDataset.Load();
        var pipeline = new TrainingPipeline(Recipe(settings), Environment.ProcessorCount, task: task);
        using var signingKey = PackageSigning.CreateKey();
        var (publicKeyPath, calibrationPath, calibration) = WriteAgentFiles(task, signingKey);

        await using var broker = await DemoBroker.StartAsync(settings, cancellationToken).ConfigureAwait(false);
        var result = new DemoResult { Settings = settings, BrokerDescription = broker.Description,
            ClassNames = task.ClassNames };
        var metrics = new TrainerMetrics();
        var storePath = Path.Combine(settings.Output, "measurements.db");
        DeleteStore(storePath);
        await using var store = await MeasurementStore.OpenAsync(storePath, cancellationToken).ConfigureAwait(false);
        await using var ingest = new MeasurementIngest(
            broker.Client("edge-demo-ingest"), store, metrics, logging.CreateLogger<MeasurementIngest>());
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        await using var fleet = await SimulatedFleet.StartAsync(broker, settings, publicKeyPath, calibrationPath,
            cancellationToken).ConfigureAwait(false);
        progress("start broker, agents, ingest", 1);
        Lap(result, "start");

        var fieldSettings = new FieldPatSettings
        {
            Broker = broker.Client("edge-demo-updates"),
            Task = task,
            System = settings.System,
            SigningKey = signingKey,
            CalibrationSet = calibration,
            TrainerId = "edge-demo",
            Seed = settings.Seed,
        };
        await using var updateStore = await MeasurementStore.OpenAsync(storePath,
            cancellationToken).ConfigureAwait(false);
        var updates = new FieldUpdateService(
            updateStore,
            new FieldUpdatePolicy { DriftThreshold = settings.DriftThreshold, Cooldown = TimeSpan.Zero,
                CheckInterval = TimeSpan.FromSeconds(1) },
            new FieldPatSession(fieldSettings, metrics),
            logging.CreateLogger<FieldUpdateService>(),
            metrics)
        {
            Progress = progress,
        };

        // The twin of the product line: fitted on the reference agent's device, over MQTT.
        var reference = fleet.Agents[0];
        var remotes = new List<RemoteDevice>();
        try
        {
            foreach (var agent in fleet.Agents)
            {
                remotes.Add(await RemoteDevice.ConnectAsync(new RemoteDeviceOptions { DeviceId =
                    agent.DeviceId, Broker = broker.Client($"edge-demo-trainer-{agent.DeviceId}") }, metrics,
                        cancellationToken).ConfigureAwait(false));
            }

            var fit = await pipeline.FitTwinAsync(
                remotes[0], progress: progress, stagePrefix: $"{reference.DeviceId}: ",
                cancellationToken: cancellationToken).ConfigureAwait(false);
            result.TwinNmse = fit.ValidationNmse;
            result.NoiseFloorNmse = fit.Data.NoiseFloorNmse;
            result.TwinParity = fit.Parity(400);
            Lap(result, "twin");

            // In-silico: one model trained on the twin alone, then run on every agent's own part.
            var evaluation = new TrainingOptions { EvaluationPasses = 2, CurveEvery = 5 };
            var inSilico = pipeline.BuildNetwork(remotes[0], TrainingMode.InSilico, settings.Seed);
            result.InSilico = await pipeline.TrainAsync(
                inSilico, TrainingMode.InSilico, fit, settings.Seed, evaluation,
                new StageProgress(progress, "in-silico training"), cancellationToken).ConfigureAwait(false);

            // PAT: each agent's model is trained through its own device (the forward pass over MQTT), so part-to-part
            // spread is learned rather than ignored. Each part also gets a quick twin of its own (fewer drives than the
            // product-line twin): the backward pass and, later, the drift watch compare the part with itself.
            var models = new List<PnnModel>();
            var twins = new List<MlpTwin>();
            for (var i = 0; i < remotes.Count; i++)
            {
                var partTwin = i == 0
                    ? fit
                    : await pipeline.FitTwinAsync(
                        remotes[i], 29, 31, fieldSettings.TwinData, fieldSettings.TwinFit, progress,
                        $"{remotes[i].DeviceId}: ", cancellationToken).ConfigureAwait(false);
                var inSilicoHere = pipeline.BuildNetwork(remotes[i], TrainingMode.InSilico, settings.Seed);
                CopyParameters(inSilico, inSilicoHere);
                var inSilicoAccuracy = await PnnTrainer.EvaluateAsync(
                    inSilicoHere, task, PassKind.Device, 2, cancellationToken).ConfigureAwait(false);
                var model = pipeline.BuildNetwork(remotes[i], TrainingMode.Pat, settings.Seed);
                var pat = await pipeline.TrainAsync(
                    model, TrainingMode.Pat, partTwin, settings.Seed, evaluation,
                    new StageProgress(progress, $"PAT through {remotes[i].DeviceId}"), cancellationToken)
                    .ConfigureAwait(false);
                result.Training.Add(new AgentTraining(remotes[i].DeviceId, inSilicoAccuracy.Accuracy, pat));
                models.Add(model);
                twins.Add((MlpTwin)partTwin.Twin);
            }

            result.Pat = result.Training[0].Pat;
            Lap(result, "training");

            // Publish: each agent is offered its signed v1 and validates it on its calibration set before activating.
            var packages = new List<byte[]>();
            Directory.CreateDirectory(Path.Combine(settings.Output, "packages"));
            for (var i = 0; i < models.Count; i++)
            {
                using var package = new MemoryStream();
                pipeline.WritePackage(
                    package, models[i], fit, 1, new([fleet.Agents[i].DeviceId]), calibration, "edge-demo",
                    signingKey);
                var bytes = package.ToArray();
                packages.Add(bytes);
                AtomicFile.Write(Path.Combine(settings.Output, "packages", $"{fleet.Agents[i].DeviceId}-v1.edgepkg"),
                    stream => stream.Write(bytes));
            }

            var verdicts =
                await Task.WhenAll(fleet.Agents.Select((agent, i)
                    => ModelPublisher.OfferAsync(broker.Client($"edge-demo-publish-{agent.DeviceId}"), agent.DeviceId,
                        packages[i], TimeSpan.FromMinutes(1), cancellationToken))).ConfigureAwait(false);
            for (var i = 0; i < verdicts.Length; i++)
            {
                result.Deployment.Add((verdicts[i].DeviceId, verdicts[i].Accepted, verdicts[i].Reason));
                if (verdicts[i].Accepted)
                {
                    updates.Track(new FieldDevice(verdicts[i].DeviceId, models[i], 1, twins[i], DateTimeOffset.UtcNow));
                }
            }
        }
        finally
        {
            foreach (var remote in remotes)
            {
                await remote.DisposeAsync().ConfigureAwait(false);
            }
        }

        progress("publish v1 to the fleet", 1);
        Lap(result, "publish");

        // Field traffic: every agent classifies the test set each round; the trainer scores drift after each round.
        var round = 0;
        var rounds = 3 + settings.MaxDriftRounds + 2;
        updates.Scored += (device, score, _) =>
        {
            if (score is { } s)
            {
                result.Drift.Add((device, round, s.Nmse,
                    updates.Devices.First(d => d.DeviceId == device).BaselineDrift));
            }
        };
        updates.Decided += (device, decision) => result.Decisions.Add((device.DeviceId, round, decision.Reason));
        var drifting = fleet.Agents[^1];
        result.DriftingAgent = drifting.DeviceId;
        var recoveredAt = -1;
        while (round < rounds && (recoveredAt < 0 || round < recoveredAt + 2))
        {
            round++;
            if (round == 4)
            {
                drifting.Part.AmbientShiftKelvin = settings.DriftKelvin;
                result.DriftRound = round;
            }

            await Task.WhenAll(fleet.Agents.Select(agent
                => ClassifyTestSetAsync(agent, task, round, result, cancellationToken))).ConfigureAwait(false);
            await SettleAsync(ingest, cancellationToken).ConfigureAwait(false);
            var outcomes = await updates.CheckOnceAsync(cancellationToken).ConfigureAwait(false);
            result.Updates.AddRange(outcomes);
            if (recoveredAt < 0 && outcomes.Any(o => o.Accepted))
            {
                recoveredAt = round;
            }

            progress("field traffic and drift watch", Math.Min(1, (double)round / rounds));
            if (round >= 3 + settings.MaxDriftRounds && recoveredAt < 0)
            {
                break;
            }
        }

        progress("field traffic and drift watch", 1);
        Lap(result, "field");
        result.MeasurementsIngested = ingest.Ingested;
        result.TotalSeconds = _clock.Elapsed.TotalSeconds;
        return result;
    }

    private (string PublicKey, string Calibration, byte[] CalibrationBytes) WriteAgentFiles(ClassificationTask task,
        System.Security.Cryptography.ECDsa key)
    {
        var keys = Path.Combine(settings.Output, "keys");
        Directory.CreateDirectory(keys);
        var publicKey = Path.Combine(keys, "trainer.pub.pem");
        AtomicFile.WriteAllText(publicKey, key.ExportSubjectPublicKeyInfoPem());
        var bytes = TrainingPipeline.CalibrationFromTestSplit(task);
        var calibration = Path.Combine(settings.Output, "calibration.csv");
        AtomicFile.Write(calibration, stream => stream.Write(bytes));

        // Each run starts its agents from empty stores: the demo shows a first deployment.
        var agents = Path.Combine(settings.Output, "agents");
        if (Directory.Exists(agents))
        {
            Directory.Delete(agents, recursive: true);
        }

        return (publicKey, calibration, bytes);
    }

    // The demo's recipe: the standard network on vowels, a smaller twin and a larger step than the bench's.
    private static TrainingRecipe Recipe(DemoSettings settings) => new()
    {
        Task = "vowels",
        System = settings.System,
        Architecture = "standard",
        Epochs = settings.Epochs,
        LearningRate = 0.04,
        Seed = (int)settings.Seed,
        TwinSamples = settings.TwinSamples,
        TwinNoiseFloorSamples = 500,
        TwinEpochs = 40,
        TwinHalvingEpochs = 14,
    };

    private static void CopyParameters(PnnModel from, PnnModel to)
    {
        for (var i = 0; i < from.Parameters.Count; i++)
        {
            from.Parameters[i].Value.CopyTo(to.Parameters[i].Value, 0);
        }
    }

    private static void DeleteStore(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static async Task ClassifyTestSetAsync(FleetAgent agent, ClassificationTask task, int round,
        DemoResult result, CancellationToken cancellationToken)
    {
        var test = task.Test;
        var confusion = new int[task.ClassCount, task.ClassCount];
        var features = new float[test.FeatureCount];
        var correct = 0;
        var version = 0;
        var deviceTicks = 0L;
        for (var i = 0; i < test.Count; i++)
        {
            test.Row(i).CopyTo(features);
            var (inference, served) = await agent.Models.ClassifyAsync(features,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            confusion[test.Labels[i], inference.ClassIndex]++;
            correct += inference.ClassIndex == test.Labels[i] ? 1 : 0;
            version = served;
            deviceTicks += inference.DeviceTime.Ticks;
        }

        lock (result.Traffic)
        {
            result.Traffic.Add(new TrafficRound(round, agent.DeviceId, (double)correct / test.Count, version,
                TimeSpan.FromTicks(deviceTicks / test.Count).TotalMicroseconds, confusion));
        }
    }

    // The agents flush sampled measurements every 200 ms; wait until the ingest has stored what this round produced.
    private static async Task SettleAsync(MeasurementIngest ingest, CancellationToken cancellationToken)
    {
        var last = -1L;
        for (var i = 0; i < 40 && ingest.Ingested != last; i++)
        {
            last = ingest.Ingested;
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Lap(DemoResult result, string stage)
    {
        var previous = 0.0;
        foreach (var seconds in result.StageSeconds.Values)
        {
            previous += seconds;
        }

        result.StageSeconds[stage] = _clock.Elapsed.TotalSeconds - previous;
    }
}
