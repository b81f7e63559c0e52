using System.Reflection;
using System.Text.RegularExpressions;
using Edge.Domain.Data;
using Edge.Trainer.Service;

namespace Edge.Trainer.Tests.Service;

/// <summary>The trainer README's configuration table names every key <c>serve</c> binds, and no other.</summary>
public sealed partial class TrainerConfigurationTableTests
{
    [Fact]
    public void The_readme_table_lists_every_configuration_key_and_no_other()
    {
        var root = DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        var documented = DocumentedKeys(
            File.ReadAllLines(Path.Combine(root, "host-trainer", "Edge.Trainer", "README.md")));

        var bound = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (section, options) in TrainerHost.Sections)
        {
            if (options is not null)
            {
                foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    bound.Add($"{section}:{property.Name}");
                }
            }
        }

        var undocumented = bound.Except(documented).ToList();
        Assert.True(undocumented.Count == 0, "not in the README's table: " + string.Join(", ", undocumented));
        Assert.Empty(documented.Where(k => !k.StartsWith("Edge:Logging:", StringComparison.Ordinal)).Except(bound));
    }

    // A row's first cell: `Edge:A:B` alone, or followed by sibling names (`Edge:A:B`, `C`).
    private static SortedSet<string> DocumentedKeys(string[] lines)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.StartsWith("| `Edge:", StringComparison.Ordinal)))
        {
            var names = Backticked().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value).ToList();
            var prefix = names[0][..(names[0].LastIndexOf(':') + 1)];
            keys.Add(names[0]);
            keys.UnionWith(names.Skip(1).Select(n => prefix + n));
        }

        return keys;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
