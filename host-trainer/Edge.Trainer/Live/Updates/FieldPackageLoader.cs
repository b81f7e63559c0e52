using System.Globalization;
using System.Security.Cryptography;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// Reads a signed package back into what the drift watch tracks: the model it carries, its twin, its version and the
/// hash of its bytes. Used for the packages named with <c>--watch</c> and, after a restart, for the field-update
/// package the agent turns out to run.
/// </summary>
/// <param name="trust">Keys the packages must be signed with (the caller keeps them open while this is used).</param>
/// <param name="system">The physical system of the devices (selects the architecture).</param>
/// <param name="maxBatch">Largest batch the imported model must run.</param>
public sealed class FieldPackageLoader(TrustedKeys trust, IPhysicalSystem system, int maxBatch)
{
    /// <summary>Loads <paramref name="path"/> as the model <paramref name="deviceId"/> runs.</summary>
    /// <exception cref="ModelPackageException">The package is unreadable or not signed by a trusted key.</exception>
    /// <exception cref="ArgumentException">The package is for another device or carries no twin.</exception>
    public FieldDevice Load(string deviceId, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Package '{path}' of '{deviceId}' cannot be read: {e.Message}", e);
        }

        var package = ModelPackageReader.Read(bytes, trust);
        // A fleet package may be for this device (the trainer cannot know its fleet); a list of ids must name it.
        if (package.Manifest.Targets is { Fleet: null } targets && !targets.Includes(deviceId, fleet: null))
        {
            throw new ArgumentException($"Package '{path}' is not made for device '{deviceId}'.");
        }

        // The architecture only needs a device of the right layer; field sessions run it on the real agent.
        var stand = system.CreateDevice(deviceId, 0);
        var model = ModelPackageImporter.ImportModel(package, system.Name, stand, Math.Max(32, maxBatch));
        var twin = ModelPackageImporter.ImportTwin(package, stand.Spec) ?? throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Package '{path}' has no twin; the drift watch needs one."));
        var manifest = package.Manifest;
        var recipe = ModelPackageImporter.ImportRecipe(package);
        return new FieldDevice(deviceId, model, manifest.ModelVersion, twin, manifest.CreatedAt, Hash(bytes), recipe)
        {
            PackagePath = Path.GetFullPath(path),
            AudioInput = manifest.Input.Audio,
        };
    }

    /// <summary>Lower-case hex SHA-256 of a package's bytes, as the ledger records it.</summary>
    public static string Hash(ReadOnlySpan<byte> package) => Convert.ToHexStringLower(SHA256.HashData(package));
}
