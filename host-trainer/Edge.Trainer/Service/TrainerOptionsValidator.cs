using Microsoft.Extensions.Options;

namespace Edge.Trainer.Service;

/// <summary>Checks the broker and field-update settings of <c>serve</c>, naming each key at fault.</summary>
public sealed class TrainerOptionsValidator
    : IValidateOptions<TrainerMqttOptions>, IValidateOptions<FieldUpdateSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TrainerMqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        options.TryResolve(problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FieldUpdateSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
