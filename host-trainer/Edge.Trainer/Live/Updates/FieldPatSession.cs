using Edge.Domain.Messaging;
using Edge.Trainer.Bench;
using Edge.Trainer.Export;
using Edge.Trainer.Recipes;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// One field update of one device, start to end, with no person involved: connect to its agent, refit the twin on
/// fresh measurements (the device changed, the old twin is stale), fine-tune the running model with PAT through the
/// device, sign the result as the next version and offer it; the agent validates it on its calibration set and
/// activates it only if it is no worse than what it runs.
/// </summary>
/// <param name="settings">How sessions train, sign and offer.</param>
/// <param name="metrics">Receives sessions and versions; optional.</param>
/// <param name="clock">The time of outcomes and acceptances; the system clock unless given.</param>
public sealed class FieldPatSession(
    FieldPatSettings settings, TrainerMetrics? metrics = null, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The broker the agents are on.</summary>
    public BrokerOptions Broker => settings.Broker;

    /// <summary>
    /// What a session trains for a device whose package carries no recipe: PAT of the standard network of the
    /// settings' system on their task, with their fine-tuning options and twin data.
    /// </summary>
    public TrainingRecipe Recipe { get; } = RecipeOf(settings);

    /// <summary>
    /// What a session trains for <paramref name="device"/>, written into the package it offers: the network of the
    /// running package's recipe (architecture, width, layers, front end) fine-tuned with PAT with the settings'
    /// fine-tuning options (at the rate <see cref="FieldPatSettings.TrainingFor"/> derives from the running recipe) and
    /// twin data; <see cref="Recipe"/> when the package has no recipe.
    /// </summary>
    /// <exception cref="ArgumentException">The package's recipe is for another task than the settings'.</exception>
    public TrainingRecipe RecipeFor(FieldDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Recipe is not { } running)
        {
            return Recipe;
        }

        if (BenchTasks.Describe(running.Task) != BenchTasks.Describe(Recipe.Task))
        {
            throw new ArgumentException(
                $"Device '{device.DeviceId}' runs a model trained on task '{running.Task}'; field updates here "
                + $"fine-tune on '{Recipe.Task}'.");
        }

        return running with
        {
            Epochs = Recipe.Epochs,
            LearningRate = settings.TrainingFor(running).LearningRate,
            BatchSize = Recipe.BatchSize,
            Schedule = Recipe.Schedule,
            InputNoise = Recipe.InputNoise,
            Mode = Recipe.Mode,
            Seed = Recipe.Seed,
            TwinSamples = Recipe.TwinSamples,
            TwinRepeats = Recipe.TwinRepeats,
            TwinNoiseFloorSamples = Recipe.TwinNoiseFloorSamples,
            TwinEpochs = Recipe.TwinEpochs,
            TwinHalvingEpochs = Recipe.TwinHalvingEpochs,
        };
    }

    /// <summary>
    /// The pipeline a session of <paramref name="device"/> trains with: <see cref="RecipeFor"/>, on the data of the
    /// recipe's front end (features, cepstra) — what the network hears, not the task's default features — without
    /// augmentation (a fine-tune on the corpus, not minutes of synthetic voices per session); a package without a
    /// recipe trains on the settings' task.
    /// </summary>
    internal TrainingPipeline PipelineFor(FieldDevice device)
    {
        var recipe = RecipeFor(device);
        return device.Recipe is null
            ? new TrainingPipeline(recipe, settings.TwinFit.Threads, task: settings.Task)
            : new TrainingPipeline(recipe with { Augment = "none" }, settings.TwinFit.Threads);
    }

    /// <summary>Where offered packages are kept (null: none are kept).</summary>
    public string? PackageDirectory => settings.PackageDirectory;

    /// <summary>
    /// Runs the session for <paramref name="device"/>; on acceptance <paramref name="device"/> records the new model.
    /// </summary>
    /// <param name="device">The device and the model it runs.</param>
    /// <param name="reason">What triggered the update.</param>
    /// <param name="driftRise">The rise of the twin residual that triggered it, if scored.</param>
    /// <param name="versions">Numbers the new package and records it before it is offered.</param>
    /// <param name="progress">Receives (stage, fraction of that stage).</param>
    /// <param name="cancellationToken">Stops the session; nothing is offered then.</param>
    /// <exception cref="TimeoutException">No verdict on the offer (the version is recorded as unanswered).</exception>
    public async Task<FieldUpdateOutcome> RunAsync(
        FieldDevice device,
        UpdateReason reason,
        double? driftRise,
        FieldVersionBook versions,
        Action<string, double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(versions);
        var started = _clock.GetTimestamp();
        var remoteOptions = new RemoteDeviceOptions
        {
            DeviceId = device.DeviceId,
            Broker = settings.Broker with { ClientId = $"{settings.Broker.ClientId}-update-{device.DeviceId}" },
        };
        await using var remote = await RemoteDevice.ConnectAsync(remoteOptions, metrics, cancellationToken)
            .ConfigureAwait(false);
        var stage = $"{device.DeviceId}: ";
        var pipeline = PipelineFor(device);
        var twin = await pipeline.FitTwinAsync(
            remote, settings.Seed + 101, settings.Seed + 103, settings.TwinData, settings.TwinFit, progress,
            stage + "fresh ", cancellationToken).ConfigureAwait(false);

        var model = pipeline.BuildNetwork(remote, TrainingMode.Pat, settings.Seed);
        device.LoadInto(model);
        var before = await PnnTrainer.EvaluateAsync(model, pipeline.Task, PassKind.Device, 1, cancellationToken)
            .ConfigureAwait(false);
        var trained = await pipeline.TrainAsync(
            model, TrainingMode.Pat, twin, settings.Seed, settings.TrainingFor(device.Recipe),
            StageProgress.For(progress, stage + "field PAT"), cancellationToken).ConfigureAwait(false);

        var (version, ack) = await OfferAsync(
                device, model, (MlpTwin)twin.Twin, pipeline.Recipe, versions, cancellationToken)
            .ConfigureAwait(false);
        metrics?.FieldUpdates.WithLabels(device.DeviceId, Name(reason), ack.Accepted ? "accepted" : "refused").Inc();
        var outcome = new FieldUpdateOutcome(
            device.DeviceId, reason, driftRise, twin.ValidationNmse, before.Accuracy, trained.TestAccuracy, version,
            ack.Accepted, ack.Reason, trained.Curve, remote.DrivesSent, _clock.GetElapsedTime(started).TotalSeconds,
            _clock.GetUtcNow());
        device.History.Add(outcome);
        return outcome;
    }

    /// <summary>
    /// Numbers, signs, keeps and records the package, offers it and records the verdict; on acceptance the device
    /// runs it. A refusal keeps the running model, its twin and its drift reference: the drift it answered is still
    /// there.
    /// </summary>
    private async Task<(int Version, ModelAckMessage Ack)> OfferAsync(
        FieldDevice device,
        PnnModel model,
        MlpTwin twin,
        TrainingRecipe recipe,
        FieldVersionBook versions,
        CancellationToken cancellationToken)
    {
        var task = settings.Task;
        var version = await versions.NextAsync(device, cancellationToken).ConfigureAwait(false);
        var metadata = new PackageMetadata(
            version, task.Name, task.ClassNames, settings.CalibrationSet, settings.TrainerId)
        {
            Targets = new([device.DeviceId]),
            Recipe = recipe,
            AudioInput = device.AudioInput,
        };
        using var package = new MemoryStream();
        ModelPackager.Write(package, model, twin, metadata, settings.SigningKey);
        var bytes = package.ToArray();
        var hash = await versions.RecordOfferAsync(device.DeviceId, version, bytes, cancellationToken)
            .ConfigureAwait(false);
        metrics?.PublishedVersion(device.DeviceId, version);

        ModelAckMessage ack;
        try
        {
            var offerBroker = settings.Broker with { ClientId = $"{settings.Broker.ClientId}-offer-{device.DeviceId}" };
            ack = await ModelPublisher.OfferAsync(
                offerBroker, device.DeviceId, bytes, settings.OfferTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            await versions.Ledger.SetStateAsync(
                device.DeviceId, version, FieldVersionState.Unanswered, e.Message, CancellationToken.None)
                .ConfigureAwait(false);
            throw;
        }

        var state = ack.Accepted ? FieldVersionState.Accepted : FieldVersionState.Refused;
        await versions.Ledger.SetStateAsync(device.DeviceId, version, state, ack.Reason, CancellationToken.None)
            .ConfigureAwait(false);
        if (ack.Accepted)
        {
            device.Accept(model, version, twin, _clock.GetUtcNow(), hash);
            metrics?.ModelAcceptedVersion.WithLabels(device.DeviceId).IncTo(version);
        }

        return (version, ack);
    }

    private static TrainingRecipe RecipeOf(FieldPatSettings settings)
    {
        var training = settings.Training;
        var recipe = new TrainingRecipe
        {
            Task = settings.Task.Name,
            System = settings.System,
            Architecture = "standard",
            Epochs = training.Epochs,
            LearningRate = training.LearningRate,
            BatchSize = training.BatchSize,
            Schedule = training.Schedule.Name(),
            InputNoise = training.InputNoise,
            Mode = TrainingMode.Pat.Name(),
            Seed = (int)settings.Seed,
            TwinSamples = settings.TwinData.Samples,
            TwinRepeats = settings.TwinData.Repeats,
            TwinNoiseFloorSamples = settings.TwinData.NoiseFloorSamples,
            TwinEpochs = settings.TwinFit.Epochs,
            TwinHalvingEpochs = settings.TwinFit.HalvingEpochs,
        };
        return recipe with { FrontEnd = recipe.ResolvedFrontEnd() };
    }

    /// <summary>The label used for <paramref name="reason"/> in logs and metrics.</summary>
    public static string Name(UpdateReason reason) => reason switch
    {
        UpdateReason.Drift => "drift",
        UpdateReason.Schedule => "schedule",
        UpdateReason.Operator => "operator",
        UpdateReason.Commissioning => "commissioning",
        _ => "none",
    };
}
