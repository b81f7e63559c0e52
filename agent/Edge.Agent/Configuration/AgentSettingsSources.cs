using Edge.Hosting.Configuration;

namespace Edge.Agent.Configuration;

/// <summary>
/// Where the agent's configuration comes from, lowest priority first: the settings file, <c>EDGE_</c> environment
/// variables, then command-line options. Kept explicit so tests can supply each source without touching the process.
/// </summary>
/// <param name="SettingsFile">Path of <c>appsettings.json</c>; a missing file is allowed (every key has a default or an
/// override).</param>
/// <param name="EnvironmentVariables">The process environment; only names starting with <see cref="EnvironmentPrefix"/>
/// are read.</param>
public sealed record AgentSettingsSources(string? SettingsFile, IReadOnlyDictionary<string, string?>
    EnvironmentVariables)
{
    /// <summary>Prefix of the environment variables the agent reads: <c>EDGE_DEVICE__SYSTEM</c> sets
    /// <c>Edge:Device:System</c>.</summary>
    public const string EnvironmentPrefix = EdgeEnvironment.Prefix;

    /// <summary>The running process: <c>appsettings.json</c> beside the executable and the real environment.</summary>
    public static AgentSettingsSources FromProcess()
        => new(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), EdgeEnvironment.OfProcess());

    /// <summary>
    /// The <c>EDGE_</c> variables as configuration keys under <c>Edge</c>: the prefix becomes the <c>Edge</c> section
    /// and
    /// <c>__</c> separates sections, as in the usual .NET convention.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> EdgeEnvironmentKeys()
        => EdgeEnvironment.ConfigurationKeys(EnvironmentVariables);
}
