using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Edge.Domain.Specs;

namespace Edge.Domain.Models;

/// <summary>
/// Opens and verifies a package: signature with the agent's public key first, then the schema version, every file's
/// SHA-256 and length, the stage chain, each physical stage's spec and θ against its ranges. Any failure is a
/// <see cref="ModelPackageException"/> naming what is wrong; nothing of an unverified package is returned.
/// </summary>
public static class ModelPackageReader
{
    /// <summary>Reads and verifies the package in <paramref name="package"/>.</summary>
    public static VerifiedModelPackage Read(ReadOnlySpan<byte> package, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (package.Length > ModelPackageLayout.MaxPackageBytes)
        {
            throw new ModelPackageException($"Package is {package.Length} bytes; the limit is {ModelPackageLayout.MaxPackageBytes}.");
        }

        var contents = Unzip(package.ToArray());
        var manifestBytes = Required(contents, ModelPackageLayout.ManifestEntry);
        var signature = Required(contents, ModelPackageLayout.SignatureEntry);
        if (!PackageSigning.Verify(publicKey, manifestBytes, signature))
        {
            throw new ModelPackageException("Package signature does not verify with the configured public key: the package was signed with another key or its manifest was altered.");
        }

        var manifest = ParseManifest(manifestBytes);
        var files = CheckFiles(manifest, contents);
        CheckStages(manifest, files);
        return new VerifiedModelPackage(manifest, files, manifestBytes);
    }

    /// <summary>Reads the whole of <paramref name="package"/> (up to the size limit) and verifies it.</summary>
    public static VerifiedModelPackage Read(Stream package, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(package);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = package.Read(chunk)) > 0)
        {
            if (buffer.Length + read > ModelPackageLayout.MaxPackageBytes)
            {
                throw new ModelPackageException($"Package exceeds the limit of {ModelPackageLayout.MaxPackageBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), publicKey);
    }

    private static Dictionary<string, byte[]> Unzip(byte[] package)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var zip = new ZipArchive(new MemoryStream(package, writable: false), ZipArchiveMode.Read);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > ModelPackageLayout.MaxPackageBytes)
                {
                    throw new ModelPackageException($"Package expands beyond {ModelPackageLayout.MaxPackageBytes} bytes.");
                }

                if (!contents.TryAdd(entry.FullName, ReadEntry(entry)))
                {
                    throw new ModelPackageException($"Package holds '{entry.FullName}' twice.");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ModelPackageException($"Package is not a readable zip file (truncated or corrupt): {e.Message}", e);
        }

        return contents;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream((int)Math.Min(entry.Length, int.MaxValue));
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] Required(Dictionary<string, byte[]> contents, string name)
        => contents.TryGetValue(name, out var bytes) ? bytes : throw new ModelPackageException($"Package has no '{name}'.");

    private static ModelManifest ParseManifest(byte[] bytes)
    {
        // Read the schema version alone first, so a newer layout is reported as such rather than as unknown fields.
        int schema;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            schema = document.RootElement.TryGetProperty("schemaVersion", out var version) && version.TryGetInt32(out var v)
                ? v
                : throw new ModelPackageException("Manifest has no integer 'schemaVersion'.");
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"Manifest is not valid JSON: {e.Message}", e);
        }

        if (schema is < ModelManifest.MinimumSchemaVersion or > ModelManifest.CurrentSchemaVersion)
        {
            throw new ModelPackageException($"Manifest schema version {schema} is unknown; this agent reads versions {ModelManifest.MinimumSchemaVersion} to {ModelManifest.CurrentSchemaVersion}.");
        }

        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(bytes, ModelJsonContext.Default.ModelManifest)
                ?? throw new ModelPackageException("Manifest is null.");
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"Manifest field '{e.Path}' is invalid: {e.Message}", e);
        }

        CheckInput(manifest);
        return manifest;
    }

    private static void CheckInput(ModelManifest manifest)
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
                throw new ModelPackageException($"Manifest 'input.audio' is only allowed with encoding '{ModelInput.AudioMfcc}'.");
            case ModelInput.AudioMfcc when manifest.SchemaVersion < 2:
                throw new ModelPackageException($"Manifest schema version {manifest.SchemaVersion} cannot describe '{ModelInput.AudioMfcc}' input; it needs version 2.");
            case ModelInput.AudioMfcc:
                (input.Audio ?? throw new ModelPackageException($"Manifest 'input' has encoding '{ModelInput.AudioMfcc}' but no 'audio' settings.")).Validate(input.Size);
                return;
            default:
                throw new ModelPackageException($"Manifest 'input.encoding' '{input.Encoding}' is unknown; this agent reads '{ModelInput.FeatureVector}' and '{ModelInput.AudioMfcc}'.");
        }
    }

    private static Dictionary<string, byte[]> CheckFiles(ModelManifest manifest, Dictionary<string, byte[]> contents)
    {
        if (manifest.ModelVersion <= 0)
        {
            throw new ModelPackageException($"Manifest 'modelVersion' must be positive, was {manifest.ModelVersion}.");
        }

        if (manifest.CalibrationSha256 is not { Length: 64 })
        {
            throw new ModelPackageException("Manifest 'calibrationSha256' must be 64 hex digits.");
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (!contents.TryGetValue(file.Path, out var content))
            {
                throw new ModelPackageException($"Package file '{file.Path}' listed in the manifest is missing.");
            }

            if (content.LongLength != file.Length || !string.Equals(PackageSigning.Sha256Hex(content), file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelPackageException($"Package file '{file.Path}' does not match its SHA-256 in the manifest: it was altered.");
            }

            files.Add(file.Path, content);
        }

        foreach (var name in contents.Keys)
        {
            if (name is not (ModelPackageLayout.ManifestEntry or ModelPackageLayout.SignatureEntry) && !files.ContainsKey(name))
            {
                throw new ModelPackageException($"Package file '{name}' is not listed in the manifest.");
            }
        }

        return files;
    }

    // More branches than any trained bank has, few enough that a corrupt count cannot make the agent allocate much.
    private const int MaxBranches = 256;

    private static void CheckStages(ModelManifest manifest, Dictionary<string, byte[]> files)
    {
        if (manifest.ClassLabels.Count < 2)
        {
            throw new ModelPackageException($"Manifest 'classLabels' must name at least 2 classes, had {manifest.ClassLabels.Count}.");
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
                throw new ModelPackageException($"{where} takes {stage.InputSize} values and gives {stage.OutputSize}, but the previous stage gives {size}.");
            }

            if (stage.Kind == StageKind.Digital)
            {
                if (stage.File is null || !files.ContainsKey(stage.File))
                {
                    throw new ModelPackageException($"{where} names ONNX file '{stage.File}', which the package does not list.");
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
            throw new ModelPackageException($"The last stage gives {size} values but the manifest names {manifest.ClassLabels.Count} classes.");
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

        if (stage.Branches is { } declared && (declared < 1 || declared > MaxBranches || schema < ModelManifest.BankSchemaVersion))
        {
            throw new ModelPackageException(schema < ModelManifest.BankSchemaVersion
                ? $"{where} is a bank ('branches'), which needs manifest schema {ModelManifest.BankSchemaVersion}; this manifest is version {schema}."
                : $"{where} has {declared} branches; a bank has 1 to {MaxBranches}.");
        }

        var branches = stage.BranchCount;
        if (branches * spec.InputSize != stage.InputSize || branches * spec.OutputSize != stage.OutputSize)
        {
            throw new ModelPackageException($"{where} declares {stage.InputSize}→{stage.OutputSize} but {branches} × spec '{spec.Name}' is {branches * spec.InputSize}→{branches * spec.OutputSize}.");
        }

        var theta = stage.Theta ?? throw new ModelPackageException($"{where} is physical but has no 'theta'.");
        if (theta.Count != branches * spec.ParameterSize)
        {
            throw new ModelPackageException($"{where} has {theta.Count} theta values; {branches} × spec '{spec.Name}' has {branches * spec.ParameterSize} parameters.");
        }

        for (var p = 0; p < theta.Count; p++)
        {
            var range = spec.ParameterRanges[p % spec.ParameterSize];
            if (!float.IsFinite(theta[p]) || !range.Contains(theta[p]))
            {
                throw new ModelPackageException($"{where}: theta[{p}] = {theta[p]} lies outside its parameter range [{range.Lo}, {range.Hi}].");
            }
        }
    }
}
