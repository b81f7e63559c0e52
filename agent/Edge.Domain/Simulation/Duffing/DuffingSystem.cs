using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Duffing;

/// <summary>
/// The reference-protocol layer (shared/docs/reference-protocol.md): 24 sample-and-hold segments of 0.5 time units
/// (12 inputs, then 12 parameters) on [−1, 1] with a 12-bit DAC, RK4 with 10 steps per segment, 240 positions
/// averaged into 12 bins, Gaussian readout noise 0.02, 12-bit ADC on [−4, 4]. The part's true values are fixed by the
/// protocol (ω₀ 1.07, ζ 0.09, β 0.55) instead of being drawn from a tolerance.
/// </summary>
public sealed class DuffingSystem : IPhysicalSystem
{
    /// <summary>The single instance.</summary>
    public static DuffingSystem Instance { get; } = new();

    /// <summary>System name used on the command line and in specs.</summary>
    public const string SystemName = "duffing";

    /// <summary>Datasheet coefficients.</summary>
    public static IReadOnlyList<PhysicalCoefficient> Coefficients { get; } =
    [
        new("omega0", 1.0, 0.0, 0.0, "rad/unit"),
        new("zeta", 0.10, 0.0, 0.0, "1"),
        new("beta", 0.50, 0.0, 0.0, "1/unit^2"),
    ];

    /// <summary>The true values of the protocol's part.</summary>
    public static IReadOnlyList<double> ProtocolPart { get; } = [1.07, 0.09, 0.55];

    /// <summary>The protocol's imperfections.</summary>
    public static Imperfections ProtocolImperfections { get; } = new() { ReadoutNoise = 0.02 };

    /// <summary>The layer spec.</summary>
    public static LayerSpec LayerSpec { get; } = new LayerSpec
    {
        Name = SystemName,
        InputSize = 12,
        ParameterSize = 12,
        OutputSize = 12,
        DriveLayout = DriveSlot.InputsThenParameters(12, 12),
        Dac = new DacSpec(-1, 1, 12, SampleRateHz: 2, SamplesPerSegment: 1),
        Adc = new AdcSpec(-4, 4, 12, SampleRateHz: 20, Bins: 12),
        InputRanges = Enumerable.Repeat(new ValueRange(-1, 1), 12).ToArray(),
        ParameterRanges = Enumerable.Repeat(new ValueRange(-1, 1), 12).ToArray(),
    }.Validate();

    /// <summary>The differentiable physics (noise-free), shared by the device, the gray-box twin and the ideal
    /// baseline.</summary>
    public static OdeLayerPhysics<DuffingOscillator> OdePhysics { get; } = new(LayerSpec, default, Coefficients,
        stepsPerSegment: 10, dt: 0.05);

    /// <inheritdoc />
    public string Name => SystemName;

    /// <inheritdoc />
    public string Description => "Reference-protocol Duffing oscillator (shared/docs/reference-protocol.md)";

    /// <inheritdoc />
    public LayerSpec Spec => LayerSpec;

    /// <inheritdoc />
    public IDifferentiablePhysics Physics => OdePhysics;

    /// <inheritdoc />
    public Imperfections DefaultImperfections => ProtocolImperfections;

    /// <summary>Creates the protocol's part (true values fixed by the protocol) with the protocol's imperfections or
    /// the given ones.</summary>
    public SimulatedDevice CreateDevice(string deviceId, ulong seed, Imperfections? imperfections = null)
        => new(OdePhysics, deviceId, imperfections ?? ProtocolImperfections, seed, ProtocolPart);
}
