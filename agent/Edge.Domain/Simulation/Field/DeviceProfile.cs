namespace Edge.Domain.Simulation.Field;

/// <summary>How imperfect a simulated part is.</summary>
public enum DeviceProfile
{
    /// <summary>The part differs from its twin's equations only by its values, noise and drift (the default).</summary>
    Lab,

    /// <summary>The lab part plus effects its twin's equations do not contain (<see cref="FieldProfiles"/>).</summary>
    Field,
}

/// <summary>Names of <see cref="DeviceProfile"/> on command lines, in configuration and in recipes.</summary>
public static class DeviceProfiles
{
    /// <summary>Every profile's name, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lab", "field"];

    /// <summary>The command-line name of <paramref name="profile"/>.</summary>
    public static string Name(this DeviceProfile profile) => profile == DeviceProfile.Field ? "field" : "lab";

    /// <summary>Parses a profile name (case-insensitive) or throws an error listing the known names.</summary>
    public static DeviceProfile Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "lab" => DeviceProfile.Lab,
        "field" => DeviceProfile.Field,
        _ => throw new ArgumentException(
            $"Unknown device profile '{name}'. Known profiles: {string.Join(", ", Names)}.", nameof(name)),
    };
}
