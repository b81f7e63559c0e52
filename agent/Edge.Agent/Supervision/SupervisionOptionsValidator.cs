using Microsoft.Extensions.Options;

namespace Edge.Agent.Supervision;

/// <summary>Rejects supervision settings outside their ranges, naming each key.</summary>
public sealed class SupervisionOptionsValidator : IValidateOptions<SupervisionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SupervisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, nameof(SupervisionOptions.SuspectCallsToTrip), options.SuspectCallsToTrip, 1, 1000);
        Check(failures, nameof(SupervisionOptions.FirstProbeMilliseconds), options.FirstProbeMilliseconds, 10, 600_000);
        Check(failures, nameof(SupervisionOptions.MaxProbeMilliseconds), options.MaxProbeMilliseconds, 10, 3_600_000);
        Check(failures, nameof(SupervisionOptions.HangSeconds), options.HangSeconds, 1, 3600);
        if (options.MaxProbeMilliseconds < options.FirstProbeMilliseconds)
        {
            var key = $"{SupervisionOptions.SectionName}:{nameof(SupervisionOptions.MaxProbeMilliseconds)}";
            failures.Add($"{key}: must be at least {nameof(SupervisionOptions.FirstProbeMilliseconds)} "
                + $"({options.FirstProbeMilliseconds}), was {options.MaxProbeMilliseconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{SupervisionOptions.SectionName}:{key}: must lie in {min}..{max}, was {value}.");
        }
    }
}
