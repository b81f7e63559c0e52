using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Electronic;

/// <summary>
/// The electronic nonlinear-oscillator PNN: a diode-clamped series RLC resonator (<see cref="DiodeClampedRlc"/>)
/// driven by a 12-bit DAC's sample-and-hold waveform through a level shifter and a driver of gain G, read by a
/// 12-bit ADC at 1 MS/s whose samples of the capacitor-node voltage are averaged into 12 bins. 24 segments of
/// 4 µs (12 inputs, then 12 parameters) span 96 µs, about 2.4 periods of the 25.5 kHz resonance. The README beside
/// this file has the schematic and the reasons behind every number.
/// </summary>
public sealed class ElectronicSystem : IPhysicalSystem
{
    /// <summary>System name used on the command line and in specs.</summary>
    public const string SystemName = "electronic";

    /// <summary>Converter sample rate of both the DAC and the ADC, in hertz.</summary>
    public const double SampleRateHz = 1e6;

    /// <summary>DAC samples (and ADC samples, and RK4 steps) per drive segment.</summary>
    public const int SamplesPerSegment = 4;

    private const int Segments = 24;
    private const int Bins = 12;

    /// <summary>The single instance.</summary>
    public static ElectronicSystem Instance { get; } = new();

    /// <summary>Datasheet values, in the order of the <see cref="DiodeClampedRlc"/> indices (units V, mA, µs, kΩ, mH,
    /// nF).</summary>
    public static IReadOnlyList<PhysicalCoefficient> Coefficients { get; } =
    [
        // Non-inverting driver set by two 1 % resistors (ratio spread ≈ 1.4 %), tracking tempco of the pair.
        new("G", 2.0, 0.014, 50e-6, "V/V"),

        // 1 % thick-film resistor, 100 ppm/K.
        new("R", 0.022, 0.01, 100e-6, "kOhm"),

        // Winding resistance of a 1 mH drum-core inductor: ±20 % max spec ≈ 10 % σ; copper +3930 ppm/K.
        new("R_L", 0.010, 0.10, 3.93e-3, "kOhm"),

        // 10 % ferrite drum-core inductor; the ferrite's permeability rises a few hundred ppm/K.
        new("L", 1.0, 0.10, 300e-6, "mH"),

        // 5 % polyester (PET, "MKT") film capacitor, +400…+600 ppm/K.
        new("C", 39.0, 0.05, 500e-6, "nF"),

        // 1 % resistor in series with each diode; it bounds the diode branch's conductance.
        new("R_D", 0.22, 0.01, 100e-6, "kOhm"),

        // 1N4148 (Is 2.52 nA, n 1.752): V_F(1 mA) = 0.584 V, ≈ 2 % lot spread, −2 mV/K (−2/584 per kelvin).
        new("V_F1", 0.584, 0.02, -2e-3 / 0.584, "V"),
        new("V_F2", 0.584, 0.02, -2e-3 / 0.584, "V"),

        // n·kT/q = 1.752 × 25.85 mV; n scatters ≈ 3 %; kT/q grows 1/300 per kelvin.
        new("nV_T", 0.0453, 0.03, 1.0 / 300.0, "V"),
    ];

    /// <summary>The layer spec: ±1 V after the level shifter, 12-bit converters at 1 MS/s, ADC ±4 V.</summary>
    public static LayerSpec LayerSpec { get; } = new LayerSpec
    {
        Name = SystemName,
        InputSize = 12,
        ParameterSize = 12,
        OutputSize = Bins,
        DriveLayout = DriveSlot.InputsThenParameters(12, 12),
        Dac = new DacSpec(-1, 1, 12, SampleRateHz, SamplesPerSegment),
        Adc = new AdcSpec(-4, 4, 12, SampleRateHz, Bins),
        InputRanges = Enumerable.Repeat(new ValueRange(-1, 1), 12).ToArray(),
        ParameterRanges = Enumerable.Repeat(new ValueRange(-1, 1), 12).ToArray(),
    }.Validate();

    /// <summary>Integration step in µs: one ADC sample period, so every RK4 step is one ADC sample.</summary>
    public static double TimeStepMicroseconds => 1e6 / SampleRateHz;

    /// <summary>The differentiable physics (noise-free), shared by the device, the gray-box twin and the ideal
    /// baseline.</summary>
    public static OdeLayerPhysics<DiodeClampedRlc> OdePhysics { get; } =
        new(LayerSpec, default, Coefficients, SamplesPerSegment, TimeStepMicroseconds);

    /// <inheritdoc />
    public string Name => SystemName;

    /// <inheritdoc />
    public string Description => "Diode-clamped RLC resonator (25.5 kHz), 12-bit DAC/ADC at 1 MS/s";

    /// <inheritdoc />
    public LayerSpec Spec => LayerSpec;

    /// <inheritdoc />
    public IDifferentiablePhysics Physics => OdePhysics;

    /// <inheritdoc />
    public Imperfections DefaultImperfections => ElectronicImperfections.Default;

    /// <summary>Creates a part whose component values are drawn from the tolerances for <paramref
    /// name="deviceId"/>.</summary>
    public SimulatedDevice CreateDevice(string deviceId, ulong seed, Imperfections? imperfections = null)
        => new(OdePhysics, deviceId, imperfections ?? ElectronicImperfections.Default, seed);
}
