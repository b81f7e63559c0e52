using System.Reflection;

namespace Edge.Hosting.Observability;

/// <summary>The version of the running service (its entry assembly's informational version).</summary>
public static class BuildVersion
{
    /// <summary>The informational version without the source-revision suffix, or <c>unknown</c>.</summary>
    public static string Informational { get; } = Read()?.Split('+')[0] ?? "unknown";

    /// <summary>
    /// The commit the entry assembly was built from (the source-revision suffix the SDK adds from git, shortened to
    /// seven digits as <c>git log --oneline</c> shows it), or null when the build recorded none.
    /// </summary>
    public static string? SourceRevision { get; } = Read()?.Split('+') is [_, var revision, ..]
        ? revision[..Math.Min(7, revision.Length)]
        : null;

    private static string? Read() => Assembly.GetEntryAssembly()
        ?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
