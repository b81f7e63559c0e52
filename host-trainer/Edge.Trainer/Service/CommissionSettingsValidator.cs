using Microsoft.Extensions.Options;

namespace Edge.Trainer.Service;

/// <summary>Checks the commissioning settings of <c>serve</c> with the field-update settings they share.</summary>
public sealed class CommissionSettingsValidator(IOptions<FieldUpdateSettings> updates)
    : IValidateOptions<CommissionSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CommissionSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems(updates.Value);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
