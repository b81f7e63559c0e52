using Edge.Domain.Simulation;

namespace Edge.Agent.Configuration;

/// <summary>The part the agent hosts, bound from the configuration section <c>Edge:Device</c>.</summary>
public sealed class DeviceOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Device";

    /// <summary>Name of the physical system, one of <c>PhysicalSystems.All</c> (e.g. <c>electronic</c>,
    /// <c>duffing</c>).</summary>
    public string System { get; set; } = "electronic";

    /// <summary>Identifier of the part: its serial number, or the simulated part's id (which fixes its component
    /// values).</summary>
    public string DeviceId { get; set; } = PhysicalSystems.DefaultPartId;

    /// <summary>Seed of the simulated part's noise and drift streams.</summary>
    public ulong Seed { get; set; } = PhysicalSystems.DefaultNoiseSeed;

    /// <summary>
    /// How imperfect the simulated part is: <c>lab</c> (differs from its twin's equations only by values, noise and
    /// drift; the default) or <c>field</c> (adds the effects of <c>FieldProfiles</c>). <c>simulated</c> backend only.
    /// </summary>
    public string Profile { get; set; } = "lab";

    /// <summary>
    /// How the layer is reached: <c>simulated</c> (the physics in software, the default), <c>direct</c> (DAC and ADC
    /// chips on the Pi's own I2C/SPI buses, configured under <see cref="Direct"/>) <c>emulated</c> (the same chip
    /// drivers talking to register-level emulators wired to the simulated circuit) or <c>bridge</c> (the ESP32 bridge,
    /// configured under <see cref="Bridge"/>).
    /// </summary>
    public string Backend { get; set; } = DeviceBackends.Simulated;

    /// <summary>The chips and wiring of the <c>direct</c> and <c>emulated</c> backends.</summary>
    public DirectBackendOptions Direct { get; set; } = new();

    /// <summary>The serial port or emulator address of the <c>bridge</c> backend.</summary>
    public BridgeBackendOptions Bridge { get; set; } = new();

    /// <summary>What happened to a simulated part since calibration (<c>simulated</c> backend only).</summary>
    public PartEnvironmentOptions Environment { get; set; } = new();
}

/// <summary>Names of the device backends.</summary>
public static class DeviceBackends
{
    /// <summary>The physics simulated in software.</summary>
    public const string Simulated = "simulated";

    /// <summary>DAC and ADC chips on the Pi's buses.</summary>
    public const string Direct = "direct";

    /// <summary>The direct backend's drivers against emulated chips and the simulated circuit.</summary>
    public const string Emulated = "emulated";

    /// <summary>The ESP32 bridge over a serial port (or its emulator over TCP).</summary>
    public const string Bridge = "bridge";

    /// <summary>Every backend name.</summary>
    public static IReadOnlyList<string> All { get; } = [Simulated, Direct, Emulated, Bridge];
}
