using System.CommandLine;
using Edge.Trainer.Bench;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Cli;

/// <summary>
/// The options that make a training recipe, shared by <c>bench pat</c> and <c>package</c> so both take the same names
/// with the same defaults.
/// </summary>
internal sealed class RecipeOptions
{
    private readonly Option<string> _task = new("--task")
    {
        Description = "Task: vowels, mnist, fsdd (bench: also fsdd-waveform; package: fsdd-loso-<speaker>).",
        DefaultValueFactory = _ => "vowels",
    };

    private readonly Option<string> _system = new("--system")
    {
        Description = "Physical system: electronic, mechanical, optical or duffing.",
        DefaultValueFactory = _ => "electronic",
    };

    private readonly Option<string> _profile = new("--profile")
    {
        Description = "Simulated part: lab (differs from its twin's equations only by values and noise) or field "
            + "(adds converter non-linearity, slew, clipping, heating, crosstalk, saturation and 1/f wander).",
        DefaultValueFactory = _ => "lab",
    };

    private readonly Option<string> _twin = new("--twin")
    {
        Description = "Twin: mlp (black-box) or graybox (calibrated physics).",
        DefaultValueFactory = _ => "mlp",
    };

    private readonly Option<int> _epochs = new("--epochs")
    {
        Description = "Training epochs.", DefaultValueFactory = _ => 100,
    };

    private readonly Option<double> _learningRate = new("--learning-rate")
    {
        Description = "Adam learning rate of the PNN training.",
        DefaultValueFactory = _ => new TrainingOptions().LearningRate,
    };

    private readonly Option<string> _schedule = new("--schedule")
    {
        Description = "Learning-rate schedule: constant or cosine (down to zero at the last step).",
        DefaultValueFactory = _ => new TrainingOptions().Schedule.Name(),
    };

    private readonly Option<double> _inputNoise = new("--input-noise")
    {
        Description = "Standard deviation of Gaussian noise added to the training inputs each time they are drawn "
            + "(0 = none).",
        DefaultValueFactory = _ => 0,
    };

    private readonly Option<int?> _directions = new("--directions")
    {
        Description = "zo and local: random ±1 SPSA directions per step (each costs 2 device passes). Default: the "
            + "system's tuned value (8).",
    };

    private readonly Option<double?> _perturbation = new("--perturbation")
    {
        Description = "zo and local: SPSA perturbation c as a fraction of each value's scale. Default: the system's "
            + "tuned value (0.2).",
    };

    private readonly Option<double?> _perturbationRate = new("--perturbation-learning-rate")
    {
        Description = "zo and local: Adam learning rate (in place of --learning-rate). Default: the system's tuned "
            + "value (0.02).",
    };

    private readonly Option<double?> _feedbackScale = new("--feedback-scale")
    {
        Description = "dfa: scale s of the fixed random feedback, B ~ N(0, s²/classes). Default: the system's tuned "
            + "value (mechanical 1, the others 0.1).",
    };

    private readonly Option<double> _refineLearningRate = new("--refine-learning-rate")
    {
        Description = "pat-refine: Adam learning rate of the twin's online fine-tuning.",
        DefaultValueFactory = _ => new TrainingOptions().RefineLearningRate,
    };

    private readonly Option<int> _twinSamples = new("--twin-samples")
    {
        Description = "Drives measured to fit the twin.", DefaultValueFactory = _ => 20_000,
    };

    private readonly Option<int> _twinRepeats = new("--twin-repeats")
    {
        Description = "Measurements averaged per twin drive.", DefaultValueFactory = _ => 1,
    };

    private readonly Option<int> _twinEpochs = new("--twin-epochs")
    {
        Description = "Epochs of the black-box twin fit.", DefaultValueFactory = _ => 60,
    };

    private readonly Option<string> _architecture = new("--architecture")
    {
        Description = "Network: auto (pixel drive for MNIST on electronic/mechanical, wide hybrid for MNIST on "
            + "optical, standard otherwise), standard, wide or pixel-drive.",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<int> _width = new("--width")
    {
        Description = "Physical branches per bank of the wide hybrid.",
        DefaultValueFactory = _ => new PatBenchmarkOptions().Width,
    };

    private readonly Option<int> _layers = new("--layers")
    {
        Description = "Physical layers in series in the wide and pixel-drive networks.",
        DefaultValueFactory = _ => new PatBenchmarkOptions().Layers,
    };

    private readonly Option<int> _scans = new("--scans")
    {
        Description = "Scan orders of the image in the pixel-drive network: 1 rows, 2 rows and columns, 3-4 also "
            + "backwards.",
        DefaultValueFactory = _ => new PatBenchmarkOptions().PixelDriveScans,
    };

    private readonly Option<string> _features = new("--features")
    {
        Description = "FSDD front end: mfcc (pooled MFCCs), speaker (mfcc standardised per speaker; a held-out "
            + "speaker by its own unlabelled recordings), device (training speakers per speaker, a held-out speaker "
            + "by the agent's running statistics of the words heard so far) or normalised (cepstral mean "
            + "normalisation + deltas).",
        DefaultValueFactory = _ => "mfcc",
    };

    private readonly Option<int> _cepstra = new("--cepstra")
    {
        Description = "FSDD front end: cepstral coefficients per frame (c0 included).",
        DefaultValueFactory = _ => BenchTasks.DefaultCepstra,
    };

    private readonly Option<int> _melBands = new("--mel-bands")
    {
        Description = "FSDD front end: mel filters between 60 and 3800 Hz.",
        DefaultValueFactory = _ => SpeechTuning.Default.MelBands,
    };

    private readonly Option<bool> _deltas = new("--deltas")
    {
        Description = "FSDD front end: append the pooled deltas of the MFCCs to the utterance vector.",
    };

    private readonly Option<int> _vtlp = new("--vtlp")
    {
        Description = "FSDD training: this many vocal-tract-length-perturbed copies of every training recording "
            + "(mel filters warped per recording by 0.9-1.1; training only, the agent never warps).",
        DefaultValueFactory = _ => 0,
    };

    private readonly Option<int> _noiseCopies = new("--noise-copies")
    {
        Description = "FSDD training with --augment voices: this many room-noise copies of every training recording "
            + "(babble of the synthetic voices, pink or white noise at 5-20 dB SNR; training only).",
        DefaultValueFactory = _ => 0,
    };

    private readonly Option<string> _augment = new("--augment")
    {
        Description = "Training augmentation: none, speed (fsdd: copies at 0.9x and 1.1x speed), voices (fsdd: the "
            + "digits spoken by a hundred espeak-ng voices as extra training speakers) or shift (mnist: copies "
            + "moved by one pixel each way).",
        DefaultValueFactory = _ => "none",
    };

    private readonly Option<DirectoryInfo> _speechCache = new("--speech-cache")
    {
        Description = "Folder of the synthesised recordings of --augment voices (made once, then reused).",
        DefaultValueFactory = _ => new DirectoryInfo(BenchTasks.DefaultSpeechCache),
    };

    private readonly Option<int> _threads = new("--threads")
    {
        Description = "Worker threads.", DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All =>
    [
        _task, _system, _profile, _twin, _epochs, _learningRate, _schedule, _inputNoise, _directions, _perturbation,
        _perturbationRate, _feedbackScale, _refineLearningRate, _twinSamples, _twinRepeats,
        _twinEpochs, _architecture, _width, _layers, _scans, _features, _cepstra, _melBands, _deltas, _vtlp,
        _noiseCopies, _augment, _speechCache, _threads,
    ];

    /// <summary>The options named on the command line (those a recipe file overrides).</summary>
    public IEnumerable<string> Given(ParseResult parse)
        => All.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name);

    /// <summary>The worker threads asked for.</summary>
    public int Threads(ParseResult parse) => BenchCommand.Positive(parse.GetValue(_threads), "--threads");

    /// <summary>The speech cache asked for.</summary>
    public string SpeechCache(ParseResult parse) => parse.GetValue(_speechCache)!.FullName;

    /// <summary>The bench options these values describe (modes and seeds are the caller's).</summary>
    public PatBenchmarkOptions Read(ParseResult parse)
    {
        var threads = Threads(parse);
        var system = parse.GetValue(_system)!;
        var tuned = BackpropFreeSettings.For(system);
        return new PatBenchmarkOptions
        {
            Task = parse.GetValue(_task)!,
            System = system,
            Profile = BenchCommand.ParseProfile(parse.GetValue(_profile)!),
            Twin = BenchCommand.ParseTwin(parse.GetValue(_twin)!),
            TwinData = new TwinDataOptions
            {
                Samples = BenchCommand.Positive(parse.GetValue(_twinSamples), "--twin-samples"),
                Repeats = BenchCommand.Positive(parse.GetValue(_twinRepeats), "--twin-repeats"),
            },
            MlpTwin = new MlpTwinOptions
            {
                Epochs = BenchCommand.Positive(parse.GetValue(_twinEpochs), "--twin-epochs"), Threads = threads,
            },
            GrayBox = new GrayBoxOptions { Threads = threads },
            Training = new TrainingOptions
            {
                Epochs = BenchCommand.Positive(parse.GetValue(_epochs), "--epochs"),
                LearningRate = BenchCommand.PositiveRate(parse.GetValue(_learningRate), "--learning-rate"),
                Schedule = LearningRateSchedules.Parse(parse.GetValue(_schedule)!),
                InputNoise = BenchCommand.NonNegative(parse.GetValue(_inputNoise), "--input-noise"),
                PerturbationDirections = BenchCommand.Positive(
                    parse.GetValue(_directions) ?? tuned.Directions, "--directions"),
                PerturbationSize = BenchCommand.PositiveRate(
                    parse.GetValue(_perturbation) ?? tuned.Perturbation, "--perturbation"),
                PerturbationLearningRate = BenchCommand.PositiveRate(
                    parse.GetValue(_perturbationRate) ?? tuned.LearningRate, "--perturbation-learning-rate"),
                FeedbackScale = BenchCommand.Positive(
                    parse.GetValue(_feedbackScale) ?? tuned.FeedbackScale, "--feedback-scale"),
                RefineLearningRate = BenchCommand.PositiveRate(
                    parse.GetValue(_refineLearningRate), "--refine-learning-rate"),
            },
            Architecture = PnnArchitectureNames.Parse(parse.GetValue(_architecture)!),
            Width = BenchCommand.Positive(parse.GetValue(_width), "--width"),
            Layers = BenchCommand.Positive(parse.GetValue(_layers), "--layers"),
            PixelDriveScans = BenchCommand.ScanCount(parse.GetValue(_scans)),
            Features = BenchCommand.ParseFeatures(parse.GetValue(_features)!),
            Cepstra = BenchCommand.Positive(parse.GetValue(_cepstra), "--cepstra"),
            Speech = new SpeechTuning
            {
                MelBands = parse.GetValue(_melBands), Deltas = parse.GetValue(_deltas), Vtlp = parse.GetValue(_vtlp),
                NoiseCopies = parse.GetValue(_noiseCopies),
            },
            Augment = Augmentations.Parse(parse.GetValue(_augment)!),
            SpeechCache = SpeechCache(parse),
            Threads = threads,
        };
    }
}
