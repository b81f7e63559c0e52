using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Configuration;

/// <summary>Rejects model store settings the agent cannot use, naming each key at fault.</summary>
public sealed class ModelsOptionsValidator : IValidateOptions<ModelsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ModelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        CheckKeys(failures, options);
        RequireFile(failures, nameof(ModelsOptions.CalibrationSetPath), options.CalibrationSetPath,
            "the labelled calibration set (CSV)");
        if (options.KeepVersions < 2)
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.KeepVersions)}: must be at least 2 so a "
                + $"rollback has a target, was {options.KeepVersions}.");
        }

        if (options.HealthWindow < 1)
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.HealthWindow)}: must be positive, was "
                + $"{options.HealthWindow}.");
        }

        if (options.CalibrationPasses is < 1 or > 20)
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.CalibrationPasses)}: must lie in 1..20, "
                + $"was {options.CalibrationPasses}.");
        }

        if (!(options.GateSignificance is > 0 and < 1))
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.GateSignificance)}: must lie in (0, 1), "
                + $"was {options.GateSignificance}.");
        }

        if (!(options.RollbackMaxAgeHours > 0))
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.RollbackMaxAgeHours)}: must be positive, "
                + $"was {options.RollbackMaxAgeHours}.");
        }

        if (!(options.CalibrationProbeSeconds is >= 0 and <= 86_400))
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.CalibrationProbeSeconds)}: must lie in "
                + $"0..86400 (0: no probes), was {options.CalibrationProbeSeconds}.");
        }

        if (options.CalibrationProbeWindow is < 1 or > 100)
        {
            failures.Add($"{ModelsOptions.SectionName}:{nameof(ModelsOptions.CalibrationProbeWindow)}: must lie in "
                + $"1..100, was {options.CalibrationProbeWindow}.");
        }

        Fraction(failures, nameof(ModelsOptions.MaxCalibrationDrop), options.MaxCalibrationDrop);
        Fraction(failures, nameof(ModelsOptions.Tolerance), options.Tolerance);
        Fraction(failures, nameof(ModelsOptions.MinMeanConfidence), options.MinMeanConfidence);
        Fraction(failures, nameof(ModelsOptions.MaxDeviceErrorRate), options.MaxDeviceErrorRate);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckKeys(List<string> failures, ModelsOptions options)
    {
        var section = ModelsOptions.SectionName;
        if (options.KeyPaths.Count == 0)
        {
            failures.Add($"{section}:{nameof(ModelsOptions.TrustedKeyPaths)}: must name at least one trusted "
                + $"public key (PEM), or set {section}:{nameof(ModelsOptions.PublicKeyPath)}, when {section}:"
                + $"{nameof(ModelsOptions.StoreDirectory)} is set.");
        }

        if (!string.IsNullOrWhiteSpace(options.PublicKeyPath) && !File.Exists(options.PublicKeyPath))
        {
            failures.Add($"{section}:{nameof(ModelsOptions.PublicKeyPath)}: file '{options.PublicKeyPath}' "
                + "does not exist.");
        }

        for (var i = 0; i < options.TrustedKeyPaths.Length; i++)
        {
            if (!File.Exists(options.TrustedKeyPaths[i]))
            {
                var path = options.TrustedKeyPaths[i];
                failures.Add($"{section}:{nameof(ModelsOptions.TrustedKeyPaths)}:{i}: file '{path}' does not exist.");
            }
        }

        for (var i = 0; i < options.RevokedKeyIds.Length; i++)
        {
            if (!PackageSigning.IsKeyId(options.RevokedKeyIds[i]))
            {
                var id = options.RevokedKeyIds[i];
                failures.Add($"{section}:{nameof(ModelsOptions.RevokedKeyIds)}:{i}: '{id}' is not a key id "
                    + $"({PackageSigning.KeyIdLength} lower-case hex digits).");
            }
        }

        if (options.Fleet.Length > 0 && !EdgeTopics.IsValidDeviceId(options.Fleet))
        {
            failures.Add($"{section}:{nameof(ModelsOptions.Fleet)}: '{options.Fleet}' is not a valid fleet name: use "
                + $"1-{EdgeTopics.MaxDeviceIdLength} letters, digits, '-', '_' or '.', not starting with '_'.");
        }
    }

    private static void RequireFile(List<string> failures, string key, string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{ModelsOptions.SectionName}:{key}: must name {what} when "
                + $"{ModelsOptions.SectionName}:{nameof(ModelsOptions.StoreDirectory)} is set.");
        }
        else if (!File.Exists(path))
        {
            failures.Add($"{ModelsOptions.SectionName}:{key}: file '{path}' does not exist.");
        }
    }

    private static void Fraction(List<string> failures, string key, double value)
    {
        if (!(value is >= 0 and <= 1))
        {
            failures.Add($"{ModelsOptions.SectionName}:{key}: must lie in [0, 1], was {value}.");
        }
    }
}
