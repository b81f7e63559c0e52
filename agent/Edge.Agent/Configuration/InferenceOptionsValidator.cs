using Microsoft.Extensions.Options;

namespace Edge.Agent.Configuration;

/// <summary>Rejects inference settings the service cannot use, naming each key at fault.</summary>
/// <param name="models">The model store settings: a watched folder needs a store to take its model from.</param>
public sealed class InferenceOptionsValidator(IOptions<ModelsOptions> models) : IValidateOptions<InferenceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.StableMilliseconds is < 0 or > 600_000)
        {
            failures.Add($"{Key(nameof(InferenceOptions.StableMilliseconds))}: must lie in 0..600000, was "
                + $"{options.StableMilliseconds}.");
        }

        if (options.PollMilliseconds is < 10 or > 60_000)
        {
            failures.Add($"{Key(nameof(InferenceOptions.PollMilliseconds))}: must lie in 10..60000, was "
                + $"{options.PollMilliseconds}.");
        }

        if (!options.WatchEnabled)
        {
            return Result(failures);
        }

        if (!models.Value.Enabled)
        {
            failures.Add($"{Key(nameof(InferenceOptions.WatchDirectory))}: a watched folder needs a model to classify "
                + $"with; set {ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)} too.");
        }

        var watched = Path.GetFullPath(options.WatchDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(watched))
        {
            failures.Add($"{Key(nameof(InferenceOptions.WatchDirectory))}: folder '{options.WatchDirectory}' does not "
                + "exist.");
        }

        var processed = options.ProcessedPath.TrimEnd(Path.DirectorySeparatorChar);
        var failed = options.FailedPath.TrimEnd(Path.DirectorySeparatorChar);
        if (processed == watched || failed == watched || processed == failed)
        {
            failures.Add($"{SectionNameKeys}: the watched, processed and failed folders must be three different "
                + $"folders (watched '{watched}', processed '{processed}', failed '{failed}').");
        }

        return Result(failures);
    }

    private const string SectionNameKeys = InferenceOptions.SectionName
        + ":{WatchDirectory,ProcessedDirectory,FailedDirectory}";

    private static string Key(string property) => $"{InferenceOptions.SectionName}:{property}";

    private static ValidateOptionsResult Result(List<string> failures) => failures.Count == 0
        ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
