namespace Edge.Trainer.Cli;

/// <summary>One command-line name of an enum value: the name it prints as, a hint shown in error lists, other spellings
/// it accepts.</summary>
internal sealed record CommandLineName<T>(T Value, string Name, string? Hint = null, params string[] Aliases)
    where T : struct, Enum;

/// <summary>
/// The command-line names of an enum's values from one table, so printing and parsing cannot drift apart; an unknown
/// name is an <see cref="ArgumentException"/> that lists the valid ones.
/// </summary>
/// <param name="kind">What one value is called in the error ("twin", "training mode").</param>
/// <param name="plural">What the list of valid values is called ("twins", "modes").</param>
/// <param name="names">Every value with its names.</param>
internal sealed class CommandLineNames<T>(string kind, string plural, params CommandLineName<T>[] names)
    where T : struct, Enum
{
    /// <summary>The valid names, with their hints, comma-separated.</summary>
    public string Valid { get; } = string.Join(", ",
        Array.ConvertAll(names, n => n.Hint is null ? n.Name : $"{n.Name} ({n.Hint})"));

    /// <summary>The name <paramref name="value"/> prints as.</summary>
    public string Name(T value)
    {
        foreach (var name in names)
        {
            if (EqualityComparer<T>.Default.Equals(name.Value, value))
            {
                return name.Name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value,
            $"{typeof(T).Name} {value} has no command-line name.");
    }

    /// <summary>The value named <paramref name="text"/> (case and surrounding spaces ignored).</summary>
    public T Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var key = text.Trim().ToLowerInvariant();
        foreach (var name in names)
        {
            if (name.Name == key || Array.IndexOf(name.Aliases, key) >= 0)
            {
                return name.Value;
            }
        }

        throw new ArgumentException($"Unknown {kind} '{text}'. Valid {plural}: {Valid}.");
    }
}
