using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edge.Hosting.Configuration;

/// <summary>A section under <c>Edge</c> and the options class it binds to (null: free-form, not checked).</summary>
/// <param name="Path">The section's path, e.g. <c>Edge:Mqtt</c>.</param>
/// <param name="Options">The options class bound from it.</param>
public sealed record EdgeSection(
    string Path,
    [DynamicallyAccessedMembers(EdgeConfigurationCheck.BoundMembers)]
    [property: DynamicallyAccessedMembers(EdgeConfigurationCheck.BoundMembers)]
    Type? Options);

/// <summary>
/// Checks every key under <c>Edge</c> against a service's options classes before anything binds them: a misspelt
/// section (<c>EDGE_MODLES__…</c>), a misspelt key (<c>EDGE_DEVICE__SYTEM</c>) and a value that does not convert
/// (<c>EDGE_DEVICE__SEED=twelve</c>) are each reported with their key, all of them at once — the .NET binder stops
/// at the first and words it for programmers. Single values directly under <c>Edge</c> are the tools' process
/// variables (<c>EDGE_DATA_DIR</c>), not settings. Agent and trainer each pass their own sections.
/// </summary>
public static class EdgeConfigurationCheck
{
    /// <summary>What the check needs of an options class: its properties, and a way to make one.</summary>
    public const DynamicallyAccessedMemberTypes BoundMembers =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    private const DynamicallyAccessedMemberTypes Properties = DynamicallyAccessedMemberTypes.PublicProperties;

    /// <summary>
    /// Binds and validates every option of <paramref name="host"/> now, as starting it would: every problem, one line
    /// each naming its configuration key (empty when the configuration is usable).
    /// </summary>
    public static List<string> Validate(IHost host, IReadOnlyList<EdgeSection> sections)
    {
        ArgumentNullException.ThrowIfNull(host);
        // Unknown sections and keys and unconvertible values first, all of them, each with its key; the binder
        // would stop at the first and hide the rest.
        var keyProblems = Problems(host.Services.GetRequiredService<IConfiguration>(), sections);
        var failures = new List<string>(keyProblems);
        try
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException e)
        {
            failures.AddRange(e.Failures);
        }
        catch (AggregateException e)
        {
            foreach (var inner in e.InnerExceptions)
            {
                failures.AddRange(inner switch
                {
                    OptionsValidationException validation => validation.Failures,
                    // The binder's words for a problem the check above already named.
                    InvalidOperationException when failures.Count > 0 => [],
                    _ => [inner.Message],
                });
            }
        }
        catch (InvalidOperationException e) when (failures.Count == 0)
        {
            // The binder reports values it cannot convert and unknown keys this way, naming the key.
            failures.Add(e.Message);
        }
        catch (InvalidOperationException)
        {
            // Already named by the check above.
        }

        // A section with a bad key never reached its validators (the binder threw first): validate what it holds
        // without the bad keys, so a range error next to a misspelt key is named in the same run.
        var broken = sections.Where(s => s.Options is not null
            && keyProblems.Any(f => f.StartsWith(s.Path + ":", StringComparison.OrdinalIgnoreCase)));
        foreach (var section in broken)
        {
            failures.AddRange(LenientOptions.Validate(
                host.Services, host.Services.GetRequiredService<IConfiguration>().GetSection(section.Path),
                section.Options!));
        }

        return failures;
    }

    /// <summary>Every problem found, one line each, starting with the configuration key it concerns.</summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2072",
        Justification = "The options classes and their nested classes are bound by the configuration binder, which "
            + "needs the same public properties.")]
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2077",
        Justification = "Sections lists the options classes by typeof; the binder keeps their public properties.")]
    public static List<string> Problems(IConfiguration configuration, IReadOnlyList<EdgeSection> sections)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sections);
        var problems = new List<string>();
        var known = string.Join(", ", sections.Select(s => s.Path["Edge:".Length..]));
        foreach (var section in configuration.GetSection("Edge").GetChildren())
        {
            // EDGE_DATA_DIR, EDGE_BENCH_PROFILE, …: process variables of the tools, not settings (a setting always
            // names its section, EDGE_SECTION__KEY).
            if (!section.GetChildren().Any())
            {
                continue;
            }

            var match = sections.FirstOrDefault(
                s => string.Equals(s.Path, section.Path, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                problems.Add($"Edge:{section.Key}: unknown section; the sections under Edge are {known}.");
            }
            else if (match.Options is { } options)
            {
                CheckObject(section, match.Path, options, problems);
            }
        }

        return problems;
    }

    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2072",
        Justification = "Nested options classes are bound by the configuration binder, which needs the same "
            + "properties.")]
    private static void CheckObject(
        IConfigurationSection section,
        string path,
        [DynamicallyAccessedMembers(Properties)] Type type,
        List<string> problems)
    {
        var settable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic || IsCollection(p.PropertyType))
            .ToList();
        foreach (var child in section.GetChildren())
        {
            var property = settable.Find(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problems.Add($"{path}:{child.Key}: unknown key; the keys under {path} are "
                    + $"{string.Join(", ", settable.Select(p => p.Name))}.");
            }
            else
            {
                CheckValue(child, $"{path}:{property.Name}", property.PropertyType, problems);
            }
        }
    }

    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2072",
        Justification = "Nested options classes are bound by the configuration binder, which needs the same "
            + "properties.")]
    private static void CheckValue(
        IConfigurationSection section,
        string path,
        [DynamicallyAccessedMembers(Properties)] Type type,
        List<string> problems)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar == typeof(string) || scalar.IsPrimitive || scalar.IsEnum || scalar == typeof(decimal)
            || scalar == typeof(TimeSpan))
        {
            if (section.Value is null)
            {
                problems.Add($"{path}: expected a single value, found a section.");
            }
            else if (!Converts(section.Value, scalar))
            {
                problems.Add($"{path}: '{section.Value}' is not {Describe(scalar)}.");
            }
        }
        else if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{path}:{item.Key}: a list takes items numbered 0, 1, 2, …, not '{item.Key}'.");
                }
                else
                {
                    CheckValue(item, $"{path}:{item.Key}", element, problems);
                }
            }
        }
        else if (section.Value is not null && section.Value.Length > 0)
        {
            problems.Add($"{path}: is a section; set its keys ({path}:…), not a value.");
        }
        else
        {
            CheckObject(section, path, type, problems);
        }
    }

    private static bool IsCollection(Type type) => ElementType(type) is not null;

    private static Type? ElementType(Type type) => LenientOptions.ElementType(type);

    private static bool Converts(string value, Type type) => LenientOptions.Convert(value, type) is not null;

    private static string Describe(Type type)
        => type == typeof(bool) ? "true or false"
            : type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong)
                ? "a whole number ≥ 0 (no sign, no decimal point)"
            : type == typeof(sbyte) || type == typeof(short) || type == typeof(int) || type == typeof(long)
                ? "a whole number (no decimal point)"
            : type == typeof(float) || type == typeof(double) || type == typeof(decimal)
                ? "a number (invariant culture: a '.' decimal point)"
            : type == typeof(TimeSpan) ? "a duration ([d.]hh:mm:ss, e.g. 00:05:00)"
            : type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
            : $"a {type.Name}";
}
