using System.Text.Json.Serialization;
using Edge.Domain.Audio;
using Edge.Domain.Simulation.Field;
using Edge.Trainer.Bench;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Recipes;

/// <summary>
/// Everything that decides which network is trained and how: the task, the part, the architecture, the front end,
/// augmentation, the schedule, the twin and the seeds. Bench results and model packages carry it as JSON
/// (<see cref="TrainingRecipeJson"/>), so the network a benchmark measured is the one <c>edge-trainer package
/// --recipe</c> ships. Names are the command-line names of <c>bench pat</c>.
/// </summary>
public sealed record TrainingRecipe
{
    /// <summary>The recipe format this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Format version (<see cref="CurrentVersion"/>).</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Task: vowels, mnist, fsdd, fsdd-loso-&lt;speaker&gt; or fsdd-waveform.</summary>
    public string Task { get; init; } = "vowels";

    /// <summary>Physical system: electronic, mechanical, optical or duffing.</summary>
    public string System { get; init; } = "electronic";

    /// <summary>Id of the simulated part the twin is fitted on and the network trained through.</summary>
    public string Part { get; init; } = "edge-sim-0001";

    /// <summary>Simulated part's profile: lab (the default) or field (<see cref="DeviceProfile"/>).</summary>
    public string Profile { get; init; } = "lab";

    /// <summary>Network (auto, standard, wide or pixel-drive; auto is resolved by task and system).</summary>
    public string Architecture { get; init; } = "auto";

    /// <summary>Physical branches per bank of the wide hybrid.</summary>
    public int Width { get; init; } = 4;

    /// <summary>Physical layers in series in the wide and pixel-drive networks.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Scan orders of the image in the pixel-drive network (1–4).</summary>
    public int Scans { get; init; } = 1;

    /// <summary>FSDD front end: mfcc, speaker or normalised.</summary>
    public string Features { get; init; } = "mfcc";

    /// <summary>Cepstral coefficients per frame of the FSDD front end.</summary>
    public int Cepstra { get; init; } = BenchTasks.DefaultCepstra;

    /// <summary>Mel filters of the FSDD front end.</summary>
    public int MelBands { get; init; } = SpeechTuning.Default.MelBands;

    /// <summary>Pooled deltas in the FSDD utterance vector.</summary>
    public bool Deltas { get; init; }

    /// <summary>
    /// Vocal-tract-length perturbation: warped copies of every training recording (warps 0.9–1.1); training only, the
    /// agent's front end never warps.
    /// </summary>
    public int Vtlp { get; init; }

    /// <summary>
    /// Room-noise copies of every training recording (babble of synthetic voices, pink or white noise at 5–20 dB);
    /// training only, with <c>augment: voices</c>.
    /// </summary>
    public int NoiseCopies { get; init; }

    /// <summary>
    /// The audio front end <see cref="Features"/>, <see cref="Cepstra"/>, <see cref="MelBands"/> and
    /// <see cref="Deltas"/> resolve to, every option written out
    /// (null for tasks that do not take sound); a recipe whose front end differs from that is refused.
    /// </summary>
    public AudioFeatureOptions? FrontEnd { get; init; }

    /// <summary>Training augmentation: none, speed, voices or shift.</summary>
    public string Augment { get; init; } = "none";

    /// <summary>Standard deviation of the Gaussian noise added to training inputs (0 = none).</summary>
    public double InputNoise { get; init; }

    /// <summary>Learning-rate schedule: constant or cosine.</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Adam learning rate of the network.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// dfa: scale of the fixed random feedback (<see cref="Edge.Trainer.Training.TrainingOptions.FeedbackScale"/>).
    /// </summary>
    public double FeedbackScale { get; init; } = BackpropFreeSettings.Tuned.FeedbackScale;

    /// <summary>zo and local: SPSA directions per step.</summary>
    public int Directions { get; init; } = BackpropFreeSettings.Tuned.Directions;

    /// <summary>zo and local: SPSA perturbation c as a fraction of each value's scale.</summary>
    public double Perturbation { get; init; } = BackpropFreeSettings.Tuned.Perturbation;

    /// <summary>zo and local: Adam learning rate (in place of <see cref="LearningRate"/>).</summary>
    public double PerturbationLearningRate { get; init; } = BackpropFreeSettings.Tuned.LearningRate;

    /// <summary>pat-refine: Adam learning rate of the twin's online fine-tuning.</summary>
    public double RefineLearningRate { get; init; } = new TrainingOptions().RefineLearningRate;

    /// <summary>The training mode of the network that ships (a bench runs every mode it is told).</summary>
    public string Mode { get; init; } = "pat";

    /// <summary>Seed of the network's initial weights and the training order.</summary>
    public int Seed { get; init; }

    /// <summary>Twin: mlp (black-box) or graybox (calibrated physics).</summary>
    public string Twin { get; init; } = "mlp";

    /// <summary>Drives measured to fit the twin.</summary>
    public int TwinSamples { get; init; } = 20_000;

    /// <summary>Measurements averaged per twin drive.</summary>
    public int TwinRepeats { get; init; } = 1;

    /// <summary>Repeated drives that estimate the noise floor.</summary>
    public int TwinNoiseFloorSamples { get; init; } = 1_000;

    /// <summary>Epochs of the black-box twin fit.</summary>
    public int TwinEpochs { get; init; } = 60;

    /// <summary>Epochs after which the black-box twin's learning rate halves.</summary>
    public int TwinHalvingEpochs { get; init; } = 20;

    /// <summary>The parsed training mode.</summary>
    [JsonIgnore]
    public TrainingMode TrainingMode => TrainingModes.Parse(Mode);

    /// <summary>The architecture that is built (auto resolved by task and system).</summary>
    [JsonIgnore]
    public PnnArchitecture ResolvedArchitecture
        => PnnArchitectureNames.Resolve(PnnArchitectureNames.Parse(Architecture), Task, System);

    /// <summary>The FSDD mel bank, deltas and VTLP of this recipe.</summary>
    [JsonIgnore]
    public SpeechTuning Speech => new()
    {
        MelBands = MelBands, Deltas = Deltas, Vtlp = Vtlp, NoiseCopies = NoiseCopies,
    };

    /// <summary>The parsed twin kind.</summary>
    [JsonIgnore]
    public TwinKind TwinKind => TwinKindOf(Twin);

    /// <summary>Whether the task takes sound (FSDD with MFCC features).</summary>
    [JsonIgnore]
    public bool TakesSound => IsAudioTask(Task);

    /// <summary>
    /// The recipe of a <c>bench pat</c> run's network of <paramref name="mode"/> and <paramref name="seed"/>.
    /// </summary>
    public static TrainingRecipe From(PatBenchmarkOptions options, TrainingMode mode, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        var training = options.Training;
        var recipe = new TrainingRecipe
        {
            Task = options.Task.Trim().ToLowerInvariant(),
            System = options.System.Trim().ToLowerInvariant(),
            Part = options.DeviceId,
            Profile = options.Profile.Name(),
            Architecture = options.ResolvedArchitecture.Name(),
            Width = options.Width,
            Layers = options.Layers,
            Scans = options.PixelDriveScans,
            Features = options.Features.Name(),
            Cepstra = options.Cepstra,
            MelBands = options.Speech.MelBands,
            Deltas = options.Speech.Deltas,
            Vtlp = options.Speech.Vtlp,
            NoiseCopies = options.Speech.NoiseCopies,
            Augment = options.Augment.Name(),
            InputNoise = training.InputNoise,
            Schedule = training.Schedule.Name(),
            Epochs = training.Epochs,
            LearningRate = training.LearningRate,
            BatchSize = training.BatchSize,
            FeedbackScale = training.FeedbackScale,
            Directions = training.PerturbationDirections,
            Perturbation = training.PerturbationSize,
            PerturbationLearningRate = training.PerturbationLearningRate,
            RefineLearningRate = training.RefineLearningRate,
            Mode = mode.Name(),
            Seed = seed,
            Twin = options.Twin == TwinKind.GrayBox ? "graybox" : "mlp",
            TwinSamples = options.TwinData.Samples,
            TwinRepeats = options.TwinData.Repeats,
            TwinNoiseFloorSamples = options.TwinData.NoiseFloorSamples,
            TwinEpochs = options.MlpTwin.Epochs,
            TwinHalvingEpochs = options.MlpTwin.HalvingEpochs,
        };
        return recipe with { FrontEnd = recipe.ResolvedFrontEnd() };
    }

    /// <summary>
    /// The <c>bench pat</c> options that train this recipe's network (one seed, its mode) with
    /// <paramref name="threads"/> workers and synthetic speech cached in <paramref name="speechCache"/>.
    /// </summary>
    public PatBenchmarkOptions ToBenchOptions(int threads, string? speechCache = null)
    {
        Validate();
        return new PatBenchmarkOptions
        {
            Task = Task,
            System = System,
            DeviceId = Part,
            Profile = DeviceProfiles.Parse(Profile),
            Modes = [TrainingMode],
            Seeds = 1,
            Twin = TwinKindOf(Twin),
            TwinData = new TwinDataOptions
            {
                Samples = TwinSamples, Repeats = TwinRepeats, NoiseFloorSamples = TwinNoiseFloorSamples,
            },
            MlpTwin = new MlpTwinOptions { Epochs = TwinEpochs, HalvingEpochs = TwinHalvingEpochs, Threads = threads },
            GrayBox = new GrayBoxOptions { Threads = threads },
            Training = TrainingOptions(new TrainingOptions()),
            Architecture = PnnArchitectureNames.Parse(Architecture),
            Width = Width,
            Layers = Layers,
            PixelDriveScans = Scans,
            Features = FsddFeatureNames.Parse(Features),
            Cepstra = Cepstra,
            Speech = Speech,
            Augment = Augmentations.Parse(Augment),
            SpeechCache = speechCache ?? BenchTasks.DefaultSpeechCache,
            Threads = threads,
        };
    }

    /// <summary><paramref name="evaluation"/> (evaluation passes, curve, refinement) with this training.</summary>
    public TrainingOptions TrainingOptions(TrainingOptions evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation with
        {
            Epochs = Epochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            Schedule = LearningRateSchedules.Parse(Schedule),
            InputNoise = InputNoise,
            FeedbackScale = FeedbackScale,
            PerturbationDirections = Directions,
            PerturbationSize = Perturbation,
            PerturbationLearningRate = PerturbationLearningRate,
            RefineLearningRate = RefineLearningRate,
        };
    }

    /// <summary>The black-box twin fit of this recipe with <paramref name="threads"/> workers.</summary>
    public MlpTwinOptions MlpTwinOptions(int threads)
        => new() { Epochs = TwinEpochs, HalvingEpochs = TwinHalvingEpochs, Threads = threads };

    /// <summary>The twin data collection of this recipe.</summary>
    public TwinDataOptions TwinDataOptions()
        => new() { Samples = TwinSamples, Repeats = TwinRepeats, NoiseFloorSamples = TwinNoiseFloorSamples };

    /// <summary>
    /// Checks every field, throwing an <see cref="ArgumentException"/> that names the field and its valid values.
    /// </summary>
    public void Validate()
    {
        if (Version != CurrentVersion)
        {
            throw new ArgumentException(
                $"recipe 'version' {Version} is unknown; this trainer reads version {CurrentVersion}.");
        }

        Field("task", () => _ = BenchTasks.Describe(Task));
        Field("system", () => _ = PatBenchmark.SystemFor(System, PnnArchitecture.Standard));
        Field("part", () => Require(!string.IsNullOrWhiteSpace(Part), "names no part"));
        Field("profile", () => _ = DeviceProfiles.Parse(Profile));
        Field("architecture", () => _ = PnnArchitectureNames.Parse(Architecture));
        Field("width", () => Require(Width > 0, $"must be positive, was {Width}"));
        Field("layers", () => Require(Layers > 0, $"must be positive, was {Layers}"));
        Field("scans", () => Require(Scans is >= 1 and <= ImageScans.MaxScans, $"must be 1 to {ImageScans.MaxScans}"));
        Field("features", () => _ = FsddFeatureNames.Parse(Features));
        Field("cepstra", () => Require(Cepstra > 0, $"must be positive, was {Cepstra}"));
        Field("mel_bands", () => Require(MelBands is >= 2 and <= SpeechTuning.MaxMelBands,
            $"must be 2 to {SpeechTuning.MaxMelBands}, was {MelBands}"));
        Field("cepstra", () => Require(Cepstra <= MelBands, $"must be at most mel_bands ({MelBands})"));
        Field("vtlp", () => Require(Vtlp is >= 0 and <= SpeechTuning.MaxVtlpCopies,
            $"must be 0 to {SpeechTuning.MaxVtlpCopies} warped copies, was {Vtlp}"));
        Field("vtlp", () => Require(Vtlp == 0 || TakesSound, "applies to fsdd tasks only"));
        Field("noise_copies", () => Require(NoiseCopies is >= 0 and <= SpeechTuning.MaxNoiseCopies,
            $"must be 0 to {SpeechTuning.MaxNoiseCopies} room-noise copies, was {NoiseCopies}"));
        Field("noise_copies", () => Require(NoiseCopies == 0 || Augment == Augmentation.Voices.Name(),
            "needs augment 'voices' (the babble is synthetic voices talking)"));
        Field("augment", () => _ = Augmentations.Parse(Augment));
        Field("input_noise", () => Require(double.IsFinite(InputNoise) && InputNoise >= 0, "must be ≥ 0"));
        Field("schedule", () => _ = LearningRateSchedules.Parse(Schedule));
        Field("epochs", () => Require(Epochs > 0, $"must be positive, was {Epochs}"));
        Field("learning_rate", () => Require(LearningRate is > 0 and < 1, $"must be in (0, 1), was {LearningRate}"));
        Field("batch_size", () => Require(BatchSize > 0, $"must be positive, was {BatchSize}"));
        Field("feedback_scale", () => Require(double.IsFinite(FeedbackScale) && FeedbackScale > 0,
            $"must be positive, was {FeedbackScale}"));
        Field("directions", () => Require(Directions > 0, $"must be positive, was {Directions}"));
        Field("perturbation", () => Require(Perturbation is > 0 and < 1, $"must be in (0, 1), was {Perturbation}"));
        Field("perturbation_learning_rate", () => Require(PerturbationLearningRate is > 0 and < 1,
            $"must be in (0, 1), was {PerturbationLearningRate}"));
        Field("refine_learning_rate", () => Require(RefineLearningRate is > 0 and < 1,
            $"must be in (0, 1), was {RefineLearningRate}"));
        Field("mode", () => _ = TrainingMode);
        Field("seed", () => Require(Seed >= 0, $"must be zero or positive, was {Seed}"));
        Field("twin", () => _ = TwinKindOf(Twin));
        Field("twin_samples", () => Require(TwinSamples > 0, $"must be positive, was {TwinSamples}"));
        Field("twin_repeats", () => Require(TwinRepeats > 0, $"must be positive, was {TwinRepeats}"));
        Field("twin_noise_floor_samples", () => Require(TwinNoiseFloorSamples > 0, "must be positive"));
        Field("twin_epochs", () => Require(TwinEpochs > 0, $"must be positive, was {TwinEpochs}"));
        Field("twin_halving_epochs", () => Require(TwinHalvingEpochs > 0, "must be positive"));
        var expected = ResolvedFrontEnd();
        if (FrontEnd != expected)
        {
            throw new ArgumentException(expected is null
                ? $"recipe 'front_end': task '{Task}' takes no sound, so the recipe has no front end."
                : $"recipe 'front_end' differs from what features '{Features}' with {Cepstra} cepstra, {MelBands} "
                    + $"mel bands and deltas {(Deltas ? "on" : "off")} resolve to "
                    + "in this trainer; the network would not be the one the recipe describes.");
        }
    }

    /// <summary>The front end <see cref="Features"/> and <see cref="Cepstra"/> resolve to (null: no sound).</summary>
    public AudioFeatureOptions? ResolvedFrontEnd()
        => TakesSound ? BenchTasks.FrontEnd(FsddFeatureNames.Parse(Features), Cepstra, Speech) : null;

    /// <summary>Whether <paramref name="task"/> is an FSDD task with MFCC features.</summary>
    public static bool IsAudioTask(string task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var key = task.Trim().ToLowerInvariant();
        return key == "fsdd" || key.StartsWith(BenchTasks.FsddLosoPrefix, StringComparison.Ordinal);
    }

    private static TwinKind TwinKindOf(string name) => Cli.BenchCommand.ParseTwin(name);

    private static void Field(string name, Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"recipe '{name}': {e.Message}", e);
        }
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException(problem);
        }
    }
}
