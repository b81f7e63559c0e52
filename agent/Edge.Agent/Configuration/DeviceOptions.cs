namespace Edge.Agent.Configuration;

/// <summary>The part the agent hosts, bound from the configuration section <c>Edge:Device</c>.</summary>
public sealed class DeviceOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Device";

    /// <summary>Name of the physical system, one of <c>PhysicalSystems.All</c> (e.g. <c>electronic</c>, <c>duffing</c>).</summary>
    public string System { get; set; } = "electronic";

    /// <summary>Identifier of the part: its serial number, or the simulated part's id (which fixes its component values).</summary>
    public string DeviceId { get; set; } = "";

    /// <summary>Seed of the simulated part's noise and drift streams.</summary>
    public ulong Seed { get; set; }
}
