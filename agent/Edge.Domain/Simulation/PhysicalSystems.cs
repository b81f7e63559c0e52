using Edge.Domain.Simulation.Duffing;

namespace Edge.Domain.Simulation;

/// <summary>The simulated systems Edge ships, by name.</summary>
public static class PhysicalSystems
{
    /// <summary>
    /// The simulated part both sides use unless told otherwise: the agent hosts it and the trainer trains packages
    /// on it, so a default package fits a default agent's component values.
    /// </summary>
    public const string DefaultPartId = "sim-0001";

    /// <summary>The default seed of a simulated part's noise and drift streams (agent and trainer alike).</summary>
    public const ulong DefaultNoiseSeed = 1;

    /// <summary>Every system, in the order help texts list them.</summary>
    public static IReadOnlyList<IPhysicalSystem> All { get; } =
    [
        DuffingSystem.Instance,
        Electronic.ElectronicSystem.Instance,
        Mechanical.MechanicalSystem.Default,
        Optical.OpticalSystem.Instance,
    ];

    /// <summary>Finds a system by name (case-insensitive) or throws an error that lists the known names.</summary>
    public static IPhysicalSystem Get(string name)
    {
        foreach (var system in All)
        {
            if (string.Equals(system.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return system;
            }
        }

        throw new
            ArgumentException($"Unknown physical system '{name}'. Known systems: {string.Join(", "
                + "", All.Select(s => s.Name))}.", nameof(name));
    }
}
