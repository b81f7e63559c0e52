using Microsoft.Extensions.Options;

namespace Edge.Agent.Configuration;

/// <summary>Rejects a console formatter name the console logger does not know.</summary>
public sealed class ConsoleLogFormatOptionsValidator : IValidateOptions<ConsoleLogFormatOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConsoleLogFormatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.FormatterName))
        {
            return ValidateOptionsResult.Success;
        }

        foreach (var known in ConsoleLogFormatOptions.KnownFormatters)
        {
            if (string.Equals(known, options.FormatterName, StringComparison.OrdinalIgnoreCase))
            {
                return ValidateOptionsResult.Success;
            }
        }

        return ValidateOptionsResult.Fail(
            $"{ConsoleLogFormatOptions.SectionName}:{nameof(ConsoleLogFormatOptions.FormatterName)}: unknown formatter "
                + $"'{options.FormatterName}'. Known formatters: {string.Join(", "
                    + "", ConsoleLogFormatOptions.KnownFormatters)}.");
    }
}
