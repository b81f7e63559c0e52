using Edge.Domain.Simulation;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Configuration;

/// <summary>Rejects device options the agent cannot host, naming the configuration key at fault.</summary>
public sealed class DeviceOptionsValidator : IValidateOptions<DeviceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!IsKnownSystem(options.System))
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.System)}: unknown physical system '{options.System}'. Known systems: {KnownSystems()}.");
        }

        if (string.IsNullOrWhiteSpace(options.DeviceId))
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.DeviceId)}: must not be empty; it names the part (its serial number, or the simulated part's id).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsKnownSystem(string? system)
    {
        foreach (var known in PhysicalSystems.All)
        {
            if (string.Equals(known.Name, system, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string KnownSystems()
    {
        var names = new string[PhysicalSystems.All.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = PhysicalSystems.All[i].Name;
        }

        return string.Join(", ", names);
    }
}
