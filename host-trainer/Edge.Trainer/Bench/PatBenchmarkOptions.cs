using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Bench;

/// <summary>Which twin PAT and in-silico training use.</summary>
public enum TwinKind
{
    /// <summary>Black-box MLP on inputs ++ parameters.</summary>
    Mlp,

    /// <summary>The nominal physics with learned calibration coefficients.</summary>
    GrayBox,
}

/// <summary>Everything a <c>bench pat</c> run is told.</summary>
public sealed record PatBenchmarkOptions
{
    /// <summary>Task name (vowels).</summary>
    public string Task { get; init; } = "vowels";

    /// <summary>Physical system name.</summary>
    public string System { get; init; } = "electronic";

    /// <summary>Modes to run, in order.</summary>
    public IReadOnlyList<TrainingMode> Modes { get; init; } = [TrainingMode.InSilico, TrainingMode.Pat,
        TrainingMode.Ideal];

    /// <summary>Seeds <see cref="FirstSeed"/>..<see cref="FirstSeed"/>+Seeds−1 are run.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>The first seed run (0 unless a run adds seeds to an earlier one's).</summary>
    public int FirstSeed { get; init; }

    /// <summary>Id of the simulated part: the agent's default part, so a benchmarked model fits the default agent.
    /// </summary>
    public string DeviceId { get; init; } = Edge.Domain.Simulation.PhysicalSystems.DefaultPartId;

    /// <summary>How imperfect the simulated part is: lab (its twin's equations, the default) or field.</summary>
    public Edge.Domain.Simulation.Field.DeviceProfile Profile { get; init; }

    /// <summary>Twin kind.</summary>
    public TwinKind Twin { get; init; } = TwinKind.Mlp;

    /// <summary>Twin data collection.</summary>
    public TwinDataOptions TwinData { get; init; } = new();

    /// <summary>Black-box twin fit.</summary>
    public MlpTwinOptions MlpTwin { get; init; } = new();

    /// <summary>Gray-box twin fit.</summary>
    public GrayBoxOptions GrayBox { get; init; } = new();

    /// <summary>Training hyper-parameters.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>FSDD audio front end.</summary>
    public FsddFeatures Features { get; init; } = FsddFeatures.Mfcc;

    /// <summary>Cepstral coefficients per frame of the FSDD front end.</summary>
    public int Cepstra { get; init; } = BenchTasks.DefaultCepstra;

    /// <summary>FSDD mel bank, deltas and VTLP copies.</summary>
    public SpeechTuning Speech { get; init; } = SpeechTuning.Default;

    /// <summary>Folder of the synthesised recordings of <see cref="Augmentation.Voices"/>.</summary>
    public string SpeechCache { get; init; } = BenchTasks.DefaultSpeechCache;

    /// <summary>Extra training examples derived from the training split.</summary>
    public Augmentation Augment { get; init; } = Augmentation.None;

    /// <summary>Network to train (<see cref="PnnArchitecture.Auto"/> picks by task and system).</summary>
    public PnnArchitecture Architecture { get; init; } = PnnArchitecture.Auto;

    /// <summary>Physical branches per bank of the wide hybrid.</summary>
    public int Width { get; init; } = 4;

    /// <summary>Physical layers (banks, in the wide hybrid) in series in the wide and pixel-drive networks.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Scan orders of the image the pixel-drive network plays (1 rows; 2 adds columns; 3–4 add both
    /// backwards).</summary>
    public int PixelDriveScans { get; init; } = 1;

    /// <summary>The architecture actually trained (<see cref="Architecture"/> with auto resolved).</summary>
    public PnnArchitecture ResolvedArchitecture => PnnArchitectureNames.Resolve(Architecture, Task, System);

    /// <summary>Worker threads for device simulation and twin maths.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);
}
