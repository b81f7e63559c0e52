using System.CommandLine;

namespace Edge.Trainer.Cli;

/// <summary>
/// Options of a service verb that set configuration keys: each option given on the command line becomes its key's
/// value (a file option's full path, a flag <c>true</c>, a repeated option the items <c>Key:0</c>, <c>Key:1</c>, …),
/// above the settings file and the environment; options not given leave the key to them.
/// </summary>
internal sealed class CommandLineSettings
{
    private readonly List<(Option Option, string Key, bool IsPath)> _keys = [];

    /// <summary>Maps <paramref name="option"/> onto <paramref name="key"/>; returns the option.</summary>
    public T Map<T>(T option, string key, bool isPath = false)
        where T : Option
    {
        _keys.Add((option, key, isPath));
        return option;
    }

    /// <summary>The keys set by the options given in <paramref name="parse"/>.</summary>
    public List<KeyValuePair<string, string?>> Overrides(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var overrides = new List<KeyValuePair<string, string?>>();
        foreach (var (option, key, isPath) in _keys)
        {
            if (parse.GetResult(option) is not { Implicit: false } result)
            {
                continue;
            }

            var values = result.Tokens.Select(t => isPath ? Path.GetFullPath(t.Value) : t.Value).ToList();
            if (option.Arity.MaximumNumberOfValues > 1)
            {
                overrides.AddRange(values.Select((value, i) => new KeyValuePair<string, string?>($"{key}:{i}", value)));
            }
            else
            {
                // A flag given without a value is on.
                overrides.Add(new(key, values.Count == 0 ? "true" : values[^1]));
            }
        }

        return overrides;
    }
}
