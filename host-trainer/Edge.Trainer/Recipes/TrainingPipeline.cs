using System.Security.Cryptography;
using Edge.Domain.Data;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Export;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Recipes;

/// <summary>
/// Runs a <see cref="TrainingRecipe"/>: twin data → twin → network → <see cref="PnnTrainer.TrainAsync"/> →
/// package.
/// The bench, <c>edge-trainer package</c>, field updates and the demo all train through it, so they build the same
/// network the same way; each step is public for callers that train on a live device over MQTT.
/// </summary>
public sealed class TrainingPipeline
{
    /// <summary>Noise seed of the simulated part that plays the twin data (the bench's).</summary>
    public const ulong TwinDataDeviceSeed = 1_000_003;

    /// <summary>Seed of the twin-data drives.</summary>
    public const ulong TwinDataSeed = 17;

    /// <summary>Seed of the twin fit.</summary>
    public const ulong TwinFitSeed = 23;

    private readonly Lazy<ClassificationTask> _task;

    /// <summary>A pipeline for <paramref name="recipe"/> (validated here).</summary>
    /// <param name="recipe">What to train.</param>
    /// <param name="threads">Worker threads for device simulation and twin maths.</param>
    /// <param name="speechCache">Folder of synthetic speech for <c>augment: voices</c>.</param>
    /// <param name="task">The task when the caller holds it loaded (else loaded from the recipe on use).</param>
    public TrainingPipeline(
        TrainingRecipe recipe, int threads, string? speechCache = null, ClassificationTask? task = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Recipe = recipe;
        Threads = threads;
        SpeechCache = speechCache ?? BenchTasks.DefaultSpeechCache;
        Architecture = recipe.ResolvedArchitecture;
        _task = task is null
            ? new Lazy<ClassificationTask>(() => BenchTasks.Load(
                recipe.Task, FsddFeatureNames.Parse(recipe.Features), Augmentations.Parse(recipe.Augment),
                recipe.Cepstra, SpeechCache, recipe.Speech))
            : new Lazy<ClassificationTask>(task);
    }

    /// <summary>The recipe this pipeline runs.</summary>
    public TrainingRecipe Recipe { get; }

    /// <summary>Worker threads.</summary>
    public int Threads { get; }

    /// <summary>Folder of synthetic speech.</summary>
    public string SpeechCache { get; }

    /// <summary>The network that is built (auto resolved).</summary>
    public PnnArchitecture Architecture { get; }

    /// <summary>The task's data (loaded on first use).</summary>
    public ClassificationTask Task => _task.Value;

    /// <summary>The simulated system the network runs on (the pixel-drive layer for the pixel-drive network).</summary>
    public IPhysicalSystem System => PatBenchmark.SystemFor(Recipe.System, Architecture);

    /// <summary>
    /// A simulated instance of the recipe's part with noise seed <paramref name="noiseSeed"/>, using
    /// <see cref="Threads"/> workers.
    /// </summary>
    public SimulatedDevice CreateDevice(ulong noiseSeed)
    {
        var device = FieldProfiles.CreateDevice(System, Recipe.Part, noiseSeed, DeviceProfiles.Parse(Recipe.Profile));
        device.MaxDegreeOfParallelism = Threads;
        return device;
    }

    /// <summary>
    /// Noise seed of the simulated part a run of <paramref name="mode"/> and <paramref name="seed"/> trains through.
    /// </summary>
    public static ulong TrainingDeviceSeed(TrainingMode mode, int seed) => (ulong)((seed * 16) + (int)mode + 1);

    /// <summary>
    /// Collects twin data from <paramref name="device"/> and fits the recipe's twin (a black-box twin unless the
    /// recipe says graybox); <paramref name="data"/> and <paramref name="fit"/> replace the recipe's settings.
    /// </summary>
    public async Task<PipelineTwin> FitTwinAsync(
        IPhysicalDevice device,
        ulong dataSeed = TwinDataSeed,
        ulong fitSeed = TwinFitSeed,
        TwinDataOptions? data = null,
        MlpTwinOptions? fit = null,
        Action<string, double>? progress = null,
        string stagePrefix = "",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var twinData = await TwinData.CollectAsync(
            device, data ?? Recipe.TwinDataOptions(), dataSeed,
            StageProgress.For(progress, stagePrefix + "twin data"), cancellationToken).ConfigureAwait(false);
        var fitting = StageProgress.For(progress, stagePrefix + "twin fit");
        return FitTwin(twinData, fit, fitting, fitSeed, cancellationToken);
    }

    /// <summary>
    /// Fits the recipe's twin (black-box unless the recipe says graybox) to <paramref name="data"/>;
    /// <paramref name="fit"/> replaces the recipe's black-box fit settings.
    /// </summary>
    public PipelineTwin FitTwin(
        TwinData data,
        MlpTwinOptions? fit = null,
        IProgress<double>? progress = null,
        ulong fitSeed = TwinFitSeed,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Recipe.TwinKind == TwinKind.GrayBox)
        {
            var grayBox = GrayBoxFitter.Fit(
                System.Physics, data, new GrayBoxOptions { Threads = Threads }, fitSeed, progress, cancellationToken);
            return new PipelineTwin(grayBox.Twin, data, grayBox.ValidationNmse, grayBox.TrainLoss);
        }

        var mlp = MlpTwinFitter.Fit(data, fit ?? Recipe.MlpTwinOptions(Threads), fitSeed, progress, cancellationToken);
        return new PipelineTwin(mlp.Twin, data, mlp.ValidationNmse, mlp.ValidationLoss);
    }

    /// <summary>
    /// A freshly initialised network of the recipe's architecture on <paramref name="device"/>; for
    /// <see cref="TrainingMode.Digital"/> the digital network of the same parameter count.
    /// </summary>
    public PnnModel BuildNetwork(IPhysicalDevice device, TrainingMode mode, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        var task = Task;
        var features = task.Train.FeatureCount;
        var maxBatch = Math.Max(Recipe.BatchSize, task.Test.Count);
        var model = Architecture switch
        {
            PnnArchitecture.Wide => PnnArchitectures.WideHybrid(
                device, features, task.ClassCount, Recipe.Width, Recipe.Layers, maxBatch, seed),
            PnnArchitecture.PixelDrive => PnnArchitectures.PixelDrive(
                device, features, task.ClassCount, Recipe.Layers, Recipe.Scans, maxBatch, seed),
            _ => PnnArchitectures.ForSystem(Recipe.System, device, features, task.ClassCount, maxBatch, seed),
        };
        return mode == TrainingMode.Digital
            ? PnnArchitectures.Digital(
                features, task.ClassCount, PnnArchitectures.ParameterCount(model), maxBatch, seed)
            : model;
    }

    /// <summary>
    /// Trains <paramref name="model"/> in <paramref name="mode"/> with the recipe's hyper-parameters on top of
    /// <paramref name="evaluation"/> (evaluation passes, curve; the reference protocol unless given).
    /// </summary>
    public Task<TrainingResult> TrainAsync(
        PnnModel model,
        TrainingMode mode,
        PipelineTwin twin,
        ulong seed,
        TrainingOptions? evaluation = null,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(twin);
        var options = Recipe.TrainingOptions(evaluation ?? new TrainingOptions());
        return PnnTrainer.TrainAsync(
            model, Task, mode, twin.Twin, twin.Data, options, seed, progress, cancellationToken);
    }

    /// <summary>
    /// The whole recipe on simulated parts, seeded as <c>bench pat</c> seeds it: twin data from the part with
    /// <see cref="TwinDataDeviceSeed"/>, then the recipe's mode and seed trained through the part with
    /// <see cref="TrainingDeviceSeed"/>; so the network is the one the bench measured for that mode and seed.
    /// </summary>
    public async Task<PipelineRun> RunAsync(
        TrainingOptions? evaluation = null,
        Action<string, double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var twin = await FitTwinAsync(
            CreateDevice(TwinDataDeviceSeed), progress: progress, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var mode = Recipe.TrainingMode;
        var seed = (ulong)Recipe.Seed;
        var model = BuildNetwork(CreateDevice(TrainingDeviceSeed(mode, Recipe.Seed)), mode, seed);
        var result = await TrainAsync(
            model, mode, twin, seed, evaluation, StageProgress.For(progress, mode.Name()), cancellationToken)
            .ConfigureAwait(false);
        return new PipelineRun(Recipe, model, twin, result);
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming why when no agent can run this recipe's network: the
    /// pixel-drive network plays each pixel as a drive segment of a wider layer than any agent's part hosts.
    /// </summary>
    public void EnsureShippable()
    {
        if (Architecture == PnnArchitecture.PixelDrive)
        {
            throw new ArgumentException(
                $"recipe 'architecture': the pixel-drive network runs on the layer '{System.Spec.Name}' "
                + $"({System.Spec.InputSize} inputs), which no agent hosts (an agent's '{Recipe.System}' part takes "
                + $"{PhysicalSystems.Get(Recipe.System).Spec.InputSize}); package MNIST with --architecture wide, "
                + "the network of the optical MNIST benchmark.");
        }
    }

    /// <summary>
    /// How agents turn sound into this recipe's features (its front end and the training split's standardisation),
    /// or null for a task that takes feature vectors. Front ends an agent cannot run are refused here, naming why.
    /// </summary>
    public AudioInputEncoding? AudioInput()
    {
        if (!Recipe.TakesSound)
        {
            return null;
        }

        var features = FsddFeatureNames.Parse(Recipe.Features);
        if (features == FsddFeatures.SpeakerNormalised)
        {
            throw new ArgumentException(
                "recipe 'features': 'speaker' standardises each speaker by that speaker's own recordings, which an "
                + "agent hearing one word at a time does not have; package a recipe with mfcc or normalised features.");
        }

        var corpus = BenchTasks.CorpusFor(
            features, Augmentations.Parse(Recipe.Augment), Recipe.Cepstra, SpeechCache, Recipe.Speech);
        var task = Recipe.Task.Trim().ToLowerInvariant();
        var frontEnd = Recipe.ResolvedFrontEnd();
        if (task.StartsWith(BenchTasks.FsddLosoPrefix, StringComparison.Ordinal))
        {
            var heldOut = task[BenchTasks.FsddLosoPrefix.Length..];
            return FsddAudioInput.ForTrainingSplit(
                corpus, Task, r => !string.Equals(r.Speaker, heldOut, StringComparison.OrdinalIgnoreCase), frontEnd);
        }

        return FsddAudioInput.Conventional(corpus, Task, frontEnd);
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a signed package for <paramref name="targets"/>, with its twin (a
    /// black-box twin; a gray-box twin has no ONNX form and is left out), its audio front end and its recipe.
    /// </summary>
    public ModelManifest WritePackage(
        Stream destination,
        PnnModel model,
        PipelineTwin twin,
        int version,
        ModelTargets targets,
        byte[] calibrationSet,
        string trainerId,
        ECDsa signingKey,
        AudioInputEncoding? audioInput = null)
    {
        ArgumentNullException.ThrowIfNull(twin);
        EnsureShippable();
        var metadata = new PackageMetadata(version, Task.Name, Task.ClassNames, calibrationSet, trainerId)
        {
            AudioInput = audioInput,
            Targets = targets,
            Recipe = Recipe,
        };
        return ModelPackager.Write(destination, model, twin.Twin as MlpTwin, metadata, signingKey);
    }

    /// <summary>The calibration CSV agents validate packages on: the test split of <paramref name="task"/>.</summary>
    public static byte[] CalibrationFromTestSplit(ClassificationTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var labels = new string[task.Test.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = task.ClassNames[task.Test.Labels[i]];
        }

        return CalibrationSet.Format(labels, task.Test.Features, task.Test.FeatureCount);
    }
}
