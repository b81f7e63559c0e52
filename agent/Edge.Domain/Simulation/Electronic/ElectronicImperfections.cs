namespace Edge.Domain.Simulation.Electronic;

/// <summary>The electronic part's default imperfections, each number with where it comes from.</summary>
public static class ElectronicImperfections
{
    /// <summary>
    /// Noise on each held DAC level after the level shifter and driver, in volts: ≈ 4 LSB of the 12-bit DAC
    /// (LSB 0.49 mV), typical of an unfiltered DAC plus op-amp stage over a 4 µs hold.
    /// </summary>
    public const double DriveNoiseVolts = 0.002;

    /// <summary>
    /// Noise on each output bin, in volts: ≈ 57 mV rms per ADC sample (ADC noise plus pickup on an unshielded
    /// breadboard node) averaged over the bin's 8 samples, ≈ 2.7 % of the typical bin swing (σ ≈ 0.75 V over
    /// uniform drives).
    /// </summary>
    public const double ReadoutNoiseVolts = 0.02;

    /// <summary>
    /// Half-life of the board temperature's excursion, in drives: at a few thousand drives per second through a
    /// host link the board forgets a disturbance in tens of seconds, as a small PCB in a lab does.
    /// </summary>
    public const double DriftHalfLifeDrives = 20_000;

    /// <summary>
    /// Temperature step per drive, in kelvin, chosen so the walk's stationary spread,
    /// step·√(half-life / (2 ln 2)), is ≈ 2 K: an open bench under building air conditioning. The circuit's
    /// tempcos move the bins by ≈ 1.2 mV rms per kelvin, so drift alone stays below the readout noise and shows
    /// up as a slow, correlated error that a twin fitted at one moment does not know about.
    /// </summary>
    public const double DriftKelvinPerDrive = 0.0167;

    /// <summary>
    /// Idle time the player leaves between consecutive drives, in seconds: 20 DAC samples, the time a DMA-driven
    /// player (the ESP32 bridge) needs to re-arm between waveforms. The resonator rings down with τ = 2L/(R+R_L)
    /// ≈ 60 µs, so ≈ 70 % of the previous drive's final state is still there when the next one starts; waiting
    /// 3τ for it to die would cost two thirds of the throughput. A twin fitted on independent drives cannot know
    /// the previous drive: this is the circuit's main non-repeatability in use.
    /// </summary>
    public const double SettlingGapSeconds = 20e-6;

    /// <summary>Every effect on: part spread at the datasheet tolerances, noise, drift, DAC/ADC quantisation and
    /// saturation.</summary>
    public static Imperfections Default { get; } = new()
    {
        PartSpread = 1.0,
        DriveNoise = DriveNoiseVolts,
        ReadoutNoise = ReadoutNoiseVolts,
        DriftKelvinPerDrive = DriftKelvinPerDrive,
        DriftHalfLifeDrives = DriftHalfLifeDrives,
        SettlingGapSeconds = SettlingGapSeconds,
        DacQuantisation = true,
        AdcQuantisation = true,
        Saturation = true,
    };
}
