using Edge.Domain.Simulation;

namespace Edge.Agent.Configuration;

/// <summary>
/// What happened to a simulated part since calibration, bound from <c>Edge:Device:Environment</c> (e.g.
/// <c>EDGE_Device__Environment__AmbientKelvin=30</c>); re-read when the settings file changes. Only the simulated
/// backend takes it: a real part's environment is the real one.
/// </summary>
public sealed class PartEnvironmentOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = DeviceOptions.SectionName + ":Environment";

    /// <summary>Ambient temperature relative to calibration, in kelvin (±1000).</summary>
    public double AmbientKelvin { get; set; }

    /// <summary>Component ageing as a relative spread (0–0.5; 0.02: a typical component moved by 2 %).</summary>
    public double Ageing { get; set; }

    /// <summary>Readout gain relative to calibration (0.1–10).</summary>
    public double Gain { get; set; } = 1;

    /// <summary>Idle time between drives in seconds, replacing the part's own; unset keeps the part's own.</summary>
    public double? SettlingGapSeconds { get; set; }

    /// <summary>A different part under the same device id: the id its component values are drawn for.</summary>
    public string? PartId { get; set; }

    /// <summary>The environment these options describe, not yet validated.</summary>
    public PartEnvironment ToEnvironment() => new()
    {
        AmbientKelvin = AmbientKelvin,
        Ageing = Ageing,
        Gain = Gain,
        SettlingGapSeconds = SettlingGapSeconds,
        PartId = string.IsNullOrEmpty(PartId) ? null : PartId,
    };

    /// <summary>The problem with these options, naming the configuration key, or null when they are valid.</summary>
    public string? Problem()
    {
        try
        {
            ToEnvironment().Validate();
            return null;
        }
        catch (ArgumentOutOfRangeException e)
        {
            return $"{SectionName}:{e.ParamName}: {e.Message.Split(" (Parameter", 2)[0]}";
        }
    }
}
