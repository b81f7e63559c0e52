namespace Edge.Agent.Models;

/// <summary>
/// Which versions may come in and which are kept: the anti-rollback floor (no offer at or below the highest version
/// ever activated), the memory of refused packages (a re-offer is refused at once, a different package with a refused
/// version number too), and pruning by version number that always keeps the active version.
/// </summary>
internal static class VersionPolicy
{
    /// <summary>How many refused packages are remembered (the newest).</summary>
    public const int MaxRefused = 256;

    /// <summary>Why an offered package may not even be validated, or null when it may.</summary>
    public static string? Screen(StoreState state, int version, string manifestSha256)
    {
        foreach (var refused in state.Refused)
        {
            if (string.Equals(refused.ManifestSha256, manifestSha256, StringComparison.OrdinalIgnoreCase))
            {
                return $"Version {version} was refused before: {refused.Reason}";
            }
        }

        if (version <= state.Floor)
        {
            return $"Version {version} is at or below this agent's floor {state.Floor} (the highest version it has "
                + "activated); updates only move forward. Go back with 'edge-agent models rollback' or a signed "
                + "rollback instruction.";
        }

        foreach (var refused in state.Refused)
        {
            if (refused.Version == version)
            {
                return $"Version {version} was already offered with other content (refused before: {refused.Reason}); "
                    + "a new model needs a new version number.";
            }
        }

        return null;
    }

    /// <summary>Remembers a refused package, dropping the oldest beyond <see cref="MaxRefused"/>.</summary>
    public static void Remember(StoreState state, RefusedPackage refused)
    {
        state.Refused.Add(refused);
        if (state.Refused.Count > MaxRefused)
        {
            state.Refused.RemoveRange(0, state.Refused.Count - MaxRefused);
        }
    }

    /// <summary>Records the activation of <paramref name="version"/>, raising the floor when it is higher.</summary>
    public static void Activated(StoreState state, int version) => state.Floor = Math.Max(state.Floor, version);

    /// <summary>
    /// The installed versions to delete so at most <paramref name="keep"/> remain: the lowest version numbers first,
    /// never the active one.
    /// </summary>
    public static List<InstalledVersion> PruneVictims(StoreState state, int keep)
    {
        var active = state.ActiveVersion;
        var candidates = state.Installed.Where(v => v.Version != active).OrderBy(v => v.Version).ToList();
        var excess = Math.Max(0, state.Installed.Count - keep);
        return candidates.Take(excess).ToList();
    }
}
