using System.Collections;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edge.Hosting.Configuration;

/// <summary>
/// Binds an options class from its section while leaving out what the binder would refuse (unknown keys, values that
/// do not convert, which <see cref="EdgeConfigurationCheck"/> has already named) and runs the service's validators on
/// the result, so their range errors are reported in the same run as the bad keys.
/// </summary>
internal static class LenientOptions
{
    /// <summary>The failures of every <c>IValidateOptions&lt;T&gt;</c> the service registered for the class.</summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2075",
        Justification = "IValidateOptions<T>.Validate is implemented by every registered validator, so it is kept.")]
    public static IEnumerable<string> Validate(
        IServiceProvider services,
        IConfigurationSection section,
        [DynamicallyAccessedMembers(EdgeConfigurationCheck.BoundMembers)] Type type)
    {
        var options = Bind(section, type);
        var validatorType = typeof(IValidateOptions<>).MakeGenericType(type);
        var validate = validatorType.GetMethod(nameof(IValidateOptions<object>.Validate))!;
        foreach (var validator in services.GetServices(validatorType))
        {
            ValidateOptionsResult result;
            try
            {
                result = (ValidateOptionsResult)validate.Invoke(validator, [Options.DefaultName, options])!;
            }
            catch (TargetInvocationException e)
                when (e.InnerException is InvalidOperationException or OptionsValidationException)
            {
                // The validator read another section that does not bind or validate: its problems are named already.
                continue;
            }

            foreach (var failure in result.Failures ?? [])
            {
                yield return failure;
            }
        }
    }

    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2072",
        Justification = "Nested options classes and list types are bound by the configuration binder, which keeps "
            + "the same properties and constructors.")]
    private static object Bind(
        IConfigurationSection section, [DynamicallyAccessedMembers(EdgeConfigurationCheck.BoundMembers)] Type type)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null || Value(child, property.PropertyType) is not { } value)
            {
                continue;
            }

            if (property.CanWrite)
            {
                property.SetValue(instance, value);
            }
            else if (property.GetValue(instance) is IList list)
            {
                // A get-only list (Watch { get; } = []): the binder adds to it.
                foreach (var item in (IEnumerable)value)
                {
                    list.Add(item);
                }
            }
        }

        return instance;
    }

    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2072",
        Justification = "Nested options classes and list types are bound by the configuration binder, which keeps "
            + "the same properties and constructors.")]
    private static object? Value(
        IConfigurationSection section, [DynamicallyAccessedMembers(EdgeConfigurationCheck.BoundMembers)] Type type)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar == typeof(string) || scalar.IsPrimitive || scalar.IsEnum || scalar == typeof(decimal)
            || scalar == typeof(TimeSpan))
        {
            return section.Value is { } text ? Convert(text, scalar) : null;
        }

        if (ElementType(type) is { } element)
        {
            var items = section.GetChildren()
                .Where(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture))
                .Select(c => Value(c, element))
                .Where(v => v is not null)
                .ToList();
            var array = Array.CreateInstance(element, items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                array.SetValue(items[i], i);
            }

            if (type.IsArray || type.IsInterface)
            {
                return array;
            }

            var list = (IList)Activator.CreateInstance(type)!;
            foreach (var item in array)
            {
                list.Add(item);
            }

            return list;
        }

        return section.Value is null ? Bind(section, type) : null;
    }

    /// <summary>The item type of an array or list property, or null.</summary>
    internal static Type? ElementType(Type type)
        => type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() is var generic
                && (generic == typeof(List<>) || generic == typeof(IList<>) || generic == typeof(IReadOnlyList<>))
                ? type.GetGenericArguments()[0]
                : null;

    /// <summary><paramref name="text"/> as a <paramref name="type"/>, or null when it does not convert.</summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026",
        Justification = "Only strings, primitives, enums, decimal and TimeSpan reach here; their converters are "
            + "intrinsic to TypeDescriptor and kept by the trimmer.")]
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2067",
        Justification = "Intrinsic converters of primitives, enums and decimal need no members of the type.")]
    internal static object? Convert(string text, Type type)
    {
        if (type == typeof(string))
        {
            return text;
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException
            or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            // EdgeConfigurationCheck names it; the validators see the default.
            return null;
        }
    }
}
