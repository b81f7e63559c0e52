using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Optical;

/// <summary>
/// The optical PNN of Wright et al. (2022): a ≈60 fs (transform-limited) pulse at 800 nm whose spectrum a 24-channel
/// liquid-crystal
/// pulse shaper (12-bit SLM) shapes with the drive (12 inputs, then 12 parameters, on alternating channels), is
/// frequency-doubled in a 0.5 mm β-BaB₂O₄ crystal, and read by a 12-bit spectrometer as 12 bins of 0.8 THz around
/// 400 nm (<see cref="ShapedPulseShg"/>). The README beside this file has the equations and the reasons behind every
/// number.
/// </summary>
public sealed class OpticalSystem : IPhysicalSystem
{
    /// <summary>System name used on the command line and in specs.</summary>
    public const string SystemName = "optical";

    /// <summary>SLM frame rate: the whole drive is written as one frame, hertz.</summary>
    public const double FrameRateHz = 60;

    /// <summary>The single instance.</summary>
    public static OpticalSystem Instance { get; } = new();

    /// <summary>Datasheet values, in the order of the <see cref="ShapedPulseShg"/> indices.</summary>
    public static IReadOnlyList<PhysicalCoefficient> Coefficients { get; } =
    [
        // Ti:sapphire oscillator at 799.5 nm, 0.3 THz blue of the shaper's 800 nm calibration centre (so the shaped
        // field is not mirror-symmetric on the grid); the centre scatters ≈ 0.4 nm between lasers and alignments.
        new("nu0", 375.0, 0.0005, 0.0, "THz"),

        // Spectral width (σ of the intensity spectrum; FWHM 7.1 THz ≈ 15 nm, ≈ 62 fs transform-limited).
        new("sigma", 3.0, 0.03, 0.0, "THz"),

        // Residual group-delay dispersion left by the shaper and the compressor; ≈ 1.1 rad at the band edges.
        new("gdd", 2500, 0.10, 0.0, "fs^2"),

        // Crystal length: ±25 µm thickness tolerance (≈ 2 % σ); thermal expansion ≈ 10 ppm/K.
        new("L", 0.5, 0.02, 1e-5, "mm"),

        // Phase-matched SH frequency, set by the crystal angle to twice the laser centre: ≈ 0.2 THz alignment
        // scatter; the index difference and the mount's angle drift move it by ≈ 75 GHz/K.
        new("Omega_pm", 750.0, 0.0003, -1e-4, "THz"),

        // Pulse energy² × χ(2)² × spectrometer responsivity: 5 % between set-ups; laser power sags 0.2 %/K.
        new("eta", 1.0, 0.05, -2e-3, "1"),
    ];

    /// <summary>
    /// The layer spec: 24 SLM channels on [−1, 1] (12-bit, written as one 60 Hz frame), a 12-bit spectrometer on
    /// [0, 1.25] with 12 bins read once per frame.
    /// </summary>
    public static LayerSpec LayerSpec { get; } = new LayerSpec
    {
        Name = SystemName,
        InputSize = 12,
        ParameterSize = 12,
        OutputSize = OpticalLayout.Bins,
        DriveLayout = DriveSlot.InputsThenParameters(12, 12),
        Dac = new DacSpec(-1, 1, 12, FrameRateHz * OpticalLayout.Channels, SamplesPerSegment: 1),
        Adc = new AdcSpec(0, 1.25, 12, FrameRateHz * OpticalLayout.Bins, OpticalLayout.Bins),
        InputRanges = Enumerable.Repeat(new ValueRange(-1, 1), 12).ToArray(),
        ParameterRanges = Enumerable.Repeat(new ValueRange(-1, 1), 12).ToArray(),
    }.Validate();

    /// <summary>
    /// Default imperfections: SLM phase flicker (drive noise), spectrometer read noise, a thermostatted temperature
    /// walk (≈ 1.2 K rms) that moves the phase matching and the efficiency, and the converters' clipping and codes.
    /// </summary>
    public static Imperfections DefaultPartImperfections { get; } = new()
    {
        DriveNoise = 0.004,
        ReadoutNoise = 0.003,
        DriftKelvinPerDrive = 0.02,
        DriftHalfLifeDrives = 5000,
    };

    /// <summary>The differentiable physics (noise-free), shared by the device, the gray-box twin and the ideal
    /// baseline.</summary>
    public static ShapedPulseShg ShgPhysics { get; } = new(LayerSpec, Coefficients);

    /// <inheritdoc />
    public string Name => SystemName;

    /// <inheritdoc />
    public string Description => "SHG of a shaped 60 fs, 800 nm pulse: 24-channel SLM, 0.5 mm BBO, 12-bin spectrometer";

    /// <inheritdoc />
    public LayerSpec Spec => LayerSpec;

    /// <inheritdoc />
    public IDifferentiablePhysics Physics => ShgPhysics;

    /// <inheritdoc />
    public Imperfections DefaultImperfections => DefaultPartImperfections;

    /// <summary>Creates a part whose coefficients are drawn from the tolerances for <paramref
    /// name="deviceId"/>.</summary>
    public SimulatedDevice CreateDevice(string deviceId, ulong seed, Imperfections? imperfections = null)
        => new(ShgPhysics, deviceId, imperfections ?? DefaultPartImperfections, seed);
}
