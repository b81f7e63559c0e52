using Edge.Domain.Simulation.Duffing;

namespace Edge.Domain.Simulation;

/// <summary>The simulated systems Edge ships, by name.</summary>
public static class PhysicalSystems
{
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

        throw new ArgumentException($"Unknown physical system '{name}'. Known systems: {string.Join(", ", All.Select(s => s.Name))}.", nameof(name));
    }
}
