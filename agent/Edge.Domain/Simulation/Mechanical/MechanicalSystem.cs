using Edge.Domain.Physics;
using Edge.Domain.Simulation.Field;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Mechanical;

/// <summary>
/// The paper's mechanical layer: a thin titanium plate glued to a speaker voice coil, driven by an audio-rate
/// sample-and-hold waveform (inputs, then parameters) and heard by a microphone whose band-passed signal is read as
/// short-time power per bin. Physics in <see cref="SpeakerDrivenPlate"/>; values and imperfections in README.md.
/// </summary>
public sealed class MechanicalSystem : IPhysicalSystem
{
    /// <summary>System name used on the command line and in specs.</summary>
    public const string SystemName = "mechanical";

    /// <summary>DAC resolution.</summary>
    public const int DacBits = 16;

    /// <summary>ADC resolution.</summary>
    public const int AdcBits = 16;

    /// <summary>Full-scale bin power: the ADC reads [0, this] in V² of band-passed mic signal.</summary>
    public const double FullScalePower = 1.0;

    /// <summary>Datasheet coefficients in <see cref="SpeakerDrivenPlate"/> order, with part spread and temperature
    /// coefficients.</summary>
    public static IReadOnlyList<PhysicalCoefficient> Coefficients { get; } = BuildCoefficients();

    /// <summary>What a part on the lab bench suffers: spread, amplifier hiss, mic noise, slow thermal drift,
    /// converters.</summary>
    public static Imperfections LabImperfections { get; } = new()
    {
        DriveNoise = 2e-3,
        ReadoutNoise = 1e-3,
        DriftKelvinPerDrive = 0.02,
        DriftHalfLifeDrives = 2_000,
    };

    /// <summary>The default 24-segment layer (<see cref="MechanicalConfiguration.Default"/>).</summary>
    public static MechanicalSystem Default { get; } = Create(MechanicalConfiguration.Default);

    private MechanicalSystem(MechanicalConfiguration configuration, LayerSpec spec, OdeLayerPhysics<SpeakerDrivenPlate>
        physics)
    {
        Configuration = configuration;
        Spec = spec;
        OdePhysics = physics;
    }

    /// <summary>The drive and readout shape this instance was built with.</summary>
    public MechanicalConfiguration Configuration { get; }

    /// <summary>The differentiable physics (noise-free), shared by the device, the gray-box twin and the ideal
    /// baseline.</summary>
    public OdeLayerPhysics<SpeakerDrivenPlate> OdePhysics { get; }

    /// <inheritdoc />
    public string Name => SystemName;

    /// <inheritdoc />
    public string Description
        => "Titanium plate on a speaker voice coil, 5 coupled modes with cubic stiffness, microphone short-time power";

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <inheritdoc />
    public IDifferentiablePhysics Physics => OdePhysics;

    /// <inheritdoc />
    public Imperfections DefaultImperfections => LabImperfections;

    /// <summary>Builds a mechanical layer with another segment count, segment length or bin count.</summary>
    public static MechanicalSystem Create(MechanicalConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        var spec = new LayerSpec
        {
            Name = configuration.Name,
            InputSize = configuration.InputSegments,
            ParameterSize = configuration.ParameterSegments,
            OutputSize = configuration.Bins,
            DriveLayout = DriveSlot.InputsThenParameters(configuration.InputSegments, configuration.ParameterSegments),
            Dac = new DacSpec(-1, 1, DacBits, configuration.SampleRateHz, configuration.SamplesPerSegment),
            Adc = new AdcSpec(0, FullScalePower, AdcBits, configuration.SampleRateHz, configuration.Bins),
            InputRanges = Enumerable.Repeat(new ValueRange(-1, 1), configuration.InputSegments).ToArray(),
            ParameterRanges = Enumerable.Repeat(new ValueRange(-1, 1), configuration.ParameterSegments).ToArray(),
        }.Validate();

        // The ODE runs in milliseconds.
        var dtMs = 1000.0 / (configuration.SampleRateHz * configuration.StepsPerSample);
        var physics = new OdeLayerPhysics<SpeakerDrivenPlate>(
            spec,
            default,
            Coefficients,
            configuration.SamplesPerSegment * configuration.StepsPerSample,
            dtMs);
        return new MechanicalSystem(configuration, spec, physics);
    }

    /// <summary>
    /// Creates a part whose values are drawn from the tolerances by <paramref name="deviceId"/>; a field part plays
    /// its own plate (<see cref="FieldPlate"/>).
    /// </summary>
    public SimulatedDevice CreateDevice(string deviceId, ulong seed, Imperfections? imperfections = null)
    {
        var chosen = imperfections ?? LabImperfections;
        var steps = Configuration.SamplesPerSegment * Configuration.StepsPerSample;
        return new(OdePhysics, deviceId, chosen, seed, null,
            FieldPhysics(Spec, steps, OdePhysics.TimeStep, chosen, deviceId));
    }

    /// <summary>
    /// The plate part <paramref name="deviceId"/> really is on layer <paramref name="spec"/>, or null when
    /// <paramref name="imperfections"/> hold no effect beyond the twin's equations.
    /// </summary>
    /// <param name="spec">The layer (drive length, bins).</param>
    /// <param name="stepsPerSegment">RK4 steps per drive segment.</param>
    /// <param name="dtMs">RK4 step, in milliseconds.</param>
    /// <param name="imperfections">The part's imperfections.</param>
    /// <param name="deviceId">The part.</param>
    public static IFieldPhysics? FieldPhysics(
        LayerSpec spec, int stepsPerSegment, double dtMs, Imperfections imperfections, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(imperfections);
        return imperfections.Field is { ChangesPhysics: true } field
            ? new FieldPlatePhysics(spec, FieldPlate.ForPart(field, deviceId), stepsPerSegment, dtMs)
            : null;
    }

    private static PhysicalCoefficient[] BuildCoefficients()
    {
        // Plate modes of a thin clamped titanium plate (E falls ≈ 0.045 %/K, so f ≈ −0.025 %/K); Q set by glue and
        // clamping.
        ReadOnlySpan<double> frequencyHz = [310, 745, 1230, 1890, 2720];
        ReadOnlySpan<double> quality = [35, 55, 40, 70, 28];
        ReadOnlySpan<double> participation = [1.0, 0.8, -0.65, 0.55, -0.4];
        ReadOnlySpan<double> radiation = [1.0, -0.35, 0.6, -0.25, 0.45];
        var coefficients = new PhysicalCoefficient[SpeakerDrivenPlate.CoefficientCount];
        for (var k = 0; k < SpeakerDrivenPlate.ModeCount; k++)
        {
            var mode = k + 1;
            coefficients[SpeakerDrivenPlate.ModeCoefficient(k, SpeakerDrivenPlate.Frequency)] = new($"f{mode}",
                frequencyHz[k], 0.02, -2.5e-4, "Hz");
            coefficients[SpeakerDrivenPlate.ModeCoefficient(k, SpeakerDrivenPlate.Quality)] = new($"Q{mode}",
                quality[k], 0.15, -3e-3, "1");
            coefficients[SpeakerDrivenPlate.ModeCoefficient(k, SpeakerDrivenPlate.Participation)] = new($"phi{mode}",
                participation[k], 0.05, 0, "1");
            coefficients[SpeakerDrivenPlate.ModeCoefficient(k, SpeakerDrivenPlate.Radiation)] = new($"r{mode}",
                radiation[k], 0.10, 0, "1");
        }

        coefficients[SpeakerDrivenPlate.Gain] = new("G", 4.0, 0.01, -1e-4, "V/FS");
        coefficients[SpeakerDrivenPlate.Resistance] = new("R", 4.0, 0.03, 3.9e-3, "ohm");
        coefficients[SpeakerDrivenPlate.Inductance] = new("L", 0.25, 0.10, 0, "mH");
        coefficients[SpeakerDrivenPlate.ForceFactor] = new("Bl", 2.0, 0.05, -5e-4, "T*m");
        coefficients[SpeakerDrivenPlate.MovingMass] = new("m", 10.0, 0.03, 0, "g");
        coefficients[SpeakerDrivenPlate.CubicStiffness] = new("k3", 1000.0, 0.15, -1e-3, "N/mm^3");
        coefficients[SpeakerDrivenPlate.MicSensitivity] = new("S", 2.5, 0.05, -2e-4, "V/(m/s)");
        coefficients[SpeakerDrivenPlate.HighPassHz] = new("f_lo", 100, 0.05, 0, "Hz");
        coefficients[SpeakerDrivenPlate.LowPassHz] = new("f_hi", 4000, 0.05, 0, "Hz");
        return coefficients;
    }
}
