using System.Collections;

namespace Edge.Agent.Configuration;

/// <summary>
/// Where the agent's configuration comes from, lowest priority first: the settings file, <c>EDGE_</c> environment
/// variables, then command-line options. Kept explicit so tests can supply each source without touching the process.
/// </summary>
/// <param name="SettingsFile">Path of <c>appsettings.json</c>; a missing file is allowed (every key has a default or an override).</param>
/// <param name="EnvironmentVariables">The process environment; only names starting with <see cref="EnvironmentPrefix"/> are read.</param>
public sealed record AgentSettingsSources(string? SettingsFile, IReadOnlyDictionary<string, string?> EnvironmentVariables)
{
    /// <summary>Prefix of the environment variables the agent reads: <c>EDGE_DEVICE__SYSTEM</c> sets <c>Edge:Device:System</c>.</summary>
    public const string EnvironmentPrefix = "EDGE_";

    /// <summary>The running process: <c>appsettings.json</c> beside the executable and the real environment.</summary>
    public static AgentSettingsSources FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return new AgentSettingsSources(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), variables);
    }

    /// <summary>
    /// The <c>EDGE_</c> variables as configuration keys under <c>Edge</c>: the prefix becomes the <c>Edge</c> section and
    /// <c>__</c> separates sections, as in the usual .NET convention.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> EdgeEnvironmentKeys()
    {
        foreach (var (name, value) in EnvironmentVariables)
        {
            if (name.Length > EnvironmentPrefix.Length && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new("Edge:" + name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), value);
            }
        }
    }
}
