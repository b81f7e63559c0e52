using System.Reflection;
using System.Text.RegularExpressions;
using Edge.Agent.Hosting;
using Edge.Domain.Data;

namespace Edge.Agent.Tests;

/// <summary>The agent README's configuration table names every key the options classes bind, and no other.</summary>
public sealed partial class ConfigurationTableTests
{
    [Fact]
    public void The_readme_table_lists_every_configuration_key_and_no_other()
    {
        var root = DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        var documented = DocumentedKeys(File.ReadAllLines(Path.Combine(root, "agent", "Edge.Agent", "README.md")));

        var bound = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (section, options) in AgentHost.Sections)
        {
            if (options is not null)
            {
                AddKeys(section, options, bound);
            }
        }

        var undocumented = bound.Except(documented).ToList();
        Assert.True(undocumented.Count == 0, "not in the README's table: " + string.Join(", ", undocumented));
        var unknown = documented.Where(k => !k.StartsWith("Edge:Logging:", StringComparison.Ordinal)).Except(bound);
        Assert.Empty(unknown);
    }

    // A row's first cell: `Edge:A:B` alone, or followed by sibling names (`Edge:A:B` / `C`, `Edge:A:B`, `C`, `D`).
    private static SortedSet<string> DocumentedKeys(string[] lines)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.StartsWith("| `Edge:", StringComparison.Ordinal)))
        {
            var cell = line.Split('|')[1];
            var names = Backticked().Matches(cell).Select(m => m.Groups[1].Value).ToList();
            var prefix = names[0][..(names[0].LastIndexOf(':') + 1)];
            keys.Add(names[0]);
            keys.UnionWith(names.Skip(1).Select(n => prefix + n));
        }

        return keys;
    }

    private static void AddKeys(string path, Type type, SortedSet<string> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true })
            {
                continue; // computed from the settings, not one of them
            }

            var key = $"{path}:{property.Name}";
            var nested = property.PropertyType;
            if (nested.IsClass && nested != typeof(string) && !nested.IsArray)
            {
                AddKeys(key, nested, keys);
            }
            else
            {
                keys.Add(key);
            }
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
