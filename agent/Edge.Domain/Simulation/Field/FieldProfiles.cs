using Edge.Domain.Simulation.Optical;

namespace Edge.Domain.Simulation.Field;

/// <summary>
/// The field effects of each simulated system, every magnitude from a datasheet or a textbook (the sources are in
/// each system's README and in docs/decisions.md). The reference-protocol Duffing layer has none: its part is
/// defined by the protocol.
/// </summary>
public static class FieldProfiles
{
    /// <summary>
    /// The electronic layer with the parts a low-cost board carries: an MCP4922 DAC (INL ±2 LSB typical), an MCP6002
    /// driver (slew rate 0.6 V/µs: 2.4 V in a 4 µs segment, 1.2 DAC units at gain 2) and the ESP32's SAR ADC
    /// (INL ±12 LSB, DNL ±7 LSB after calibration, ESP32 datasheet, ADC characteristics).
    /// </summary>
    public static FieldEffects Electronic { get; } = new()
    {
        DacInlLsb = 2,
        SlewPerSegment = 1.2,
        AdcInlLsb = 12,
        AdcDnlLsb = 7,
    };

    /// <summary>
    /// The plate: a PAM8403-class amplifier that clips at 4.9 V peak into 4 Ω (3 W at 10 % THD+N; 1.22 full scale at
    /// G = 4 V/FS), and a voice coil that heats with the power it takes: ≈ 10 K/W and τ ≈ 10 s for a small driver
    /// (Klippel, "Nonlinear losses in loudspeakers"/thermal AN-18), 4 W at full-scale mean square → 40 K, 400 drives
    /// of 24 ms; copper's +0.39 %/K on R (and every other tempco of the plate) follows. The plate itself
    /// (<see cref="FieldPlate"/>): three modes above the twin's five, at the twin's mean mode spacing (a thin plate's
    /// modal density is constant in frequency); a force factor that falls to 82 % at Xmax = 0.3 mm (Klippel's Bl
    /// limit for Xmax); an electret capsule's diaphragm resonance at 10 kHz, Q 2 (a capsule rated 100 Hz–10 kHz);
    /// and the sample clock of an I2S codec clocked by the ESP32's fractional divider (±1 cycle of 160 MHz, 1.8 ns
    /// rms).
    /// </summary>
    public static FieldEffects Mechanical { get; } = new()
    {
        DriveClipLevel = 1.22,
        SelfHeatingKelvin = 40,
        SelfHeatingDrives = 400,
        ExtraPlateModes = 3,
        ForceFactorDrop = 0.18,
        CoilXmaxMm = 0.3,
        MicResonanceHz = 10_000,
        MicResonanceQ = 2,
        SampleJitterNs = 1.8,
    };

    /// <summary>
    /// The optical layer: liquid-crystal fringing between neighbouring shaper channels (3 % of each neighbour; Weiner,
    /// Rev. Sci. Instrum. 71, 1929 (2000), pixel gaps and smoothing), a CCD spectrometer whose response falls ≈ 8 %
    /// short of linear at full scale before correction (half-response level 14.4 ADC units), and the oscillator's
    /// slow power wander (≈ 0.5 % rms, doubled by second-harmonic generation: 1 % of gain, 1/f).
    /// </summary>
    public static FieldEffects Optical { get; } = new()
    {
        PixelCrosstalk = 0.03,
        ChannelSegments = [.. Enumerable.Range(0, OpticalLayout.Channels).Select(OpticalLayout.SegmentOfChannel)],
        DetectorSaturation = 14.4,
        FlickerGainRms = 0.01,
    };

    /// <summary>The field effects of the system named <paramref name="systemName"/> (none for others).</summary>
    public static FieldEffects For(string systemName) => systemName.ToLowerInvariant() switch
    {
        Simulation.Electronic.ElectronicSystem.SystemName => Electronic,
        Simulation.Mechanical.MechanicalSystem.SystemName => Mechanical,
        OpticalSystem.SystemName => Optical,
        _ => FieldEffects.None,
    };

    /// <summary>The imperfections of a part of <paramref name="system"/> in <paramref name="profile"/>.</summary>
    public static Imperfections Imperfections(IPhysicalSystem system, DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(system);
        return profile == DeviceProfile.Field
            ? system.DefaultImperfections with { Field = For(system.Name) }
            : system.DefaultImperfections;
    }

    /// <summary>A part of <paramref name="system"/> in <paramref name="profile"/>.</summary>
    public static SimulatedDevice CreateDevice(
        IPhysicalSystem system, string deviceId, ulong seed, DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.CreateDevice(deviceId, seed, Imperfections(system, profile));
    }
}
