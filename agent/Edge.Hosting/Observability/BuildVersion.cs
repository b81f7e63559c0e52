using System.Reflection;

namespace Edge.Hosting.Observability;

/// <summary>The version of the running service (its entry assembly's informational version).</summary>
public static class BuildVersion
{
    /// <summary>The informational version without the source-revision suffix, or <c>unknown</c>.</summary>
    public static string Informational { get; } = Read();

    private static string Read()
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion;
        return version is null ? "unknown" : version.Split('+')[0];
    }
}
