namespace Edge.Hosting.Configuration;

/// <summary>
/// The <c>EDGE_</c> environment variables as configuration keys under <c>Edge</c>, for agent and trainer alike:
/// the prefix becomes the <c>Edge</c> section and <c>__</c> separates sections (<c>EDGE_MQTT__HOST</c> sets
/// <c>Edge:Mqtt:Host</c>), the usual .NET convention.
/// </summary>
public static class EdgeEnvironment
{
    /// <summary>Prefix of the environment variables the services read.</summary>
    public const string Prefix = "EDGE_";

    /// <summary>The configuration keys of the <c>EDGE_</c> entries of <paramref name="variables"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ConfigurationKeys(
        IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var (name, value) in variables)
        {
            if (name.Length > Prefix.Length && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new("Edge:" + name[Prefix.Length..].Replace("__", ":", StringComparison.Ordinal), value);
            }
        }
    }

    /// <summary>The process environment as a dictionary (names as given).</summary>
    public static Dictionary<string, string?> OfProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return variables;
    }
}
