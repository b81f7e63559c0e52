using Edge.Domain.Specs;

namespace Edge.Domain.Models;

/// <summary>
/// The checks of a verified manifest's content: its signed fields, the files it lists, its input and stages.
/// </summary>
internal static class ManifestChecks
{
    /// <summary>
    /// The fields schema 4 signs besides the model: the key id must be the verifying key's, the targets usable.
    /// Older layouts (read only to re-open an installed package) carry neither.
    /// </summary>
    public static void Signed(ModelManifest manifest, string verifyingKeyId)
    {
        if (manifest.ModelVersion <= 0)
        {
            throw new ModelPackageException($"Manifest 'modelVersion' must be positive, was {manifest.ModelVersion}.");
        }

        if (manifest.CalibrationSha256 is not { Length: 64 })
        {
            throw new ModelPackageException("Manifest 'calibrationSha256' must be 64 hex digits.");
        }

        if (manifest.SchemaVersion < ModelManifest.TargetedSchemaVersion)
        {
            return;
        }

        if (!string.Equals(manifest.KeyId, verifyingKeyId, StringComparison.Ordinal))
        {
            throw new ModelPackageException($"Manifest 'keyId' is '{manifest.KeyId}' but the signature verifies with "
                + $"key {verifyingKeyId}.");
        }

        var targets = manifest.Targets
            ?? throw new ModelPackageException("Manifest has no 'targets': a package must name the devices or fleet "
                + "it is for.");
        if (targets.Problem() is { } problem)
        {
            throw new ModelPackageException($"Manifest 'targets': {problem}.");
        }
    }

    /// <summary>
    /// Matches the listed files against the zip directory without inflating anything: each listed file is present with
    /// its signed length, no entry is unlisted, and the listed files fit in
    /// <see cref="ModelPackageLayout.MaxContentBytes"/>.
    /// </summary>
    public static List<(PackageFile File, PackageZipEntry Entry)> Listing(ModelManifest manifest, PackageZip zip)
    {
        var listed = new List<(PackageFile, PackageZipEntry)>(manifest.Files.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var file in manifest.Files)
        {
            if (file?.Path is not { } path || IsReserved(path) || !names.Add(path))
            {
                throw new ModelPackageException($"Manifest 'files' lists '{file?.Path}', which is missing, reserved or "
                    + "listed twice.");
            }

            if (!zip.Entries.TryGetValue(path, out var entry))
            {
                throw new ModelPackageException($"Package file '{path}' listed in the manifest is missing.");
            }

            if (file.Sha256 is not { Length: 64 })
            {
                throw new ModelPackageException($"Manifest 'files': '{path}' needs a 64-digit 'sha256'.");
            }

            if (file.Length != entry.Length)
            {
                throw new ModelPackageException($"Package file '{path}' is declared {entry.Length} bytes in the zip "
                    + $"but {file.Length} in the manifest: it was altered.");
            }

            total += file.Length;
            if (total > ModelPackageLayout.MaxContentBytes)
            {
                throw new ModelPackageException("The listed files total more than "
                    + $"{ModelPackageLayout.MaxContentBytes} bytes.");
            }

            listed.Add((file, entry));
        }

        foreach (var name in zip.Entries.Keys)
        {
            if (!IsReserved(name) && !names.Contains(name))
            {
                throw new ModelPackageException($"Package file '{name}' is not listed in the manifest.");
            }
        }

        return listed;
    }

    private static bool IsReserved(string name)
        => name is ModelPackageLayout.ManifestEntry or ModelPackageLayout.SignatureEntry;

    public static void Input(ModelManifest manifest)
    {
        var input = manifest.Input ?? throw new ModelPackageException("Manifest has no 'input'.");
        if (input.Size <= 0)
        {
            throw new ModelPackageException($"Manifest 'input.size' must be positive, was {input.Size}.");
        }

        switch (input.Encoding)
        {
            case ModelInput.FeatureVector when input.Audio is null:
                return;
            case ModelInput.FeatureVector:
                throw new ModelPackageException("Manifest 'input.audio' is only allowed with encoding "
                    + $"'{ModelInput.AudioMfcc}'.");
            case ModelInput.AudioMfcc when manifest.SchemaVersion < 2:
                throw new ModelPackageException($"Manifest schema version {manifest.SchemaVersion} cannot describe "
                    + $"'{ModelInput.AudioMfcc}' input; it needs version 2.");
            case ModelInput.AudioMfcc:
                (input.Audio ?? throw new ModelPackageException("Manifest 'input' has encoding "
                    + $"'{ModelInput.AudioMfcc}' but no 'audio' settings.")).Validate(input.Size);
                return;
            default:
                throw new ModelPackageException($"Manifest 'input.encoding' '{input.Encoding}' is unknown; this agent "
                    + $"reads '{ModelInput.FeatureVector}' and '{ModelInput.AudioMfcc}'.");
        }
    }

    // More branches than any trained bank has, few enough that a corrupt count cannot make the agent allocate much.
    private const int MaxBranches = 256;

    public static void Stages(ModelManifest manifest, Dictionary<string, byte[]> files)
    {
        if (manifest.ClassLabels.Count < 2)
        {
            throw new ModelPackageException("Manifest 'classLabels' must name at least 2 classes, had "
                + $"{manifest.ClassLabels.Count}.");
        }

        if (manifest.Stages.Count == 0)
        {
            throw new ModelPackageException("Manifest 'stages' is empty.");
        }

        var size = manifest.Input.Size;
        for (var i = 0; i < manifest.Stages.Count; i++)
        {
            var stage = manifest.Stages[i];
            var where = $"Stage {i} '{stage.Name}'";
            if (stage.InputSize != size || stage.OutputSize <= 0)
            {
                throw new ModelPackageException($"{where} takes {stage.InputSize} values and gives {stage.OutputSize}, "
                    + $"but the previous stage gives {size}.");
            }

            if (stage.Kind == StageKind.Digital)
            {
                if (stage.File is null || !files.ContainsKey(stage.File))
                {
                    throw new ModelPackageException($"{where} names ONNX file '{stage.File}', which the package does "
                        + "not list.");
                }
            }
            else
            {
                CheckPhysical(stage, manifest.SchemaVersion, where);
            }

            size = stage.OutputSize;
        }

        if (size != manifest.ClassLabels.Count)
        {
            throw new ModelPackageException($"The last stage gives {size} values but the manifest names "
                + $"{manifest.ClassLabels.Count} classes.");
        }

        if (manifest.Twin is { } twin && !files.ContainsKey(twin.File))
        {
            throw new ModelPackageException($"Twin file '{twin.File}' is not listed in the manifest.");
        }
    }

    private static void CheckPhysical(ModelStage stage, int schema, string where)
    {
        var spec = stage.Spec ?? throw new ModelPackageException($"{where} is physical but has no 'spec'.");
        try
        {
            spec.Validate();
        }
        catch (SpecValidationException e)
        {
            throw new ModelPackageException($"{where}: {e.Message}", e);
        }

        if (stage.Branches is { } declared
            && (declared < 1 || declared > MaxBranches || schema < ModelManifest.BankSchemaVersion))
        {
            throw new ModelPackageException(schema < ModelManifest.BankSchemaVersion
                ? $"{where} is a bank ('branches'), which needs manifest schema {ModelManifest.BankSchemaVersion}; "
                    + $"this manifest is version {schema}."
                : $"{where} has {declared} branches; a bank has 1 to {MaxBranches}.");
        }

        var branches = stage.BranchCount;
        if (branches * spec.InputSize != stage.InputSize || branches * spec.OutputSize != stage.OutputSize)
        {
            throw new ModelPackageException($"{where} declares {stage.InputSize}→{stage.OutputSize} but {branches} × "
                + $"spec '{spec.Name}' is {branches * spec.InputSize}→{branches * spec.OutputSize}.");
        }

        var theta = stage.Theta ?? throw new ModelPackageException($"{where} is physical but has no 'theta'.");
        if (theta.Count != branches * spec.ParameterSize)
        {
            throw new ModelPackageException($"{where} has {theta.Count} theta values; {branches} × spec '{spec.Name}' "
                + $"has {branches * spec.ParameterSize} parameters.");
        }

        for (var p = 0; p < theta.Count; p++)
        {
            var range = spec.ParameterRanges[p % spec.ParameterSize];
            if (!float.IsFinite(theta[p]) || !range.Contains(theta[p]))
            {
                throw new ModelPackageException($"{where}: theta[{p}] = {theta[p]} lies outside its parameter range "
                    + $"[{range.Lo}, {range.Hi}].");
            }
        }
    }
}
