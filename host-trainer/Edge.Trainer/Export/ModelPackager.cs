using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Edge.Domain.Models;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Export;

/// <summary>What goes into a package besides the model itself.</summary>
/// <param name="ModelVersion">Positive version number of the model.</param>
/// <param name="Task">Task name, e.g. <c>vowels</c>.</param>
/// <param name="ClassLabels">Class names by logit index.</param>
/// <param name="CalibrationSet">The exact bytes of the calibration file the agents hold (its SHA-256 is
/// signed).</param>
/// <param name="TrainerId">Who built the package.</param>
public sealed record PackageMetadata(int ModelVersion, string Task, IReadOnlyList<string> ClassLabels,
    byte[] CalibrationSet, string TrainerId)
{
    /// <summary>For a model that takes sound: the front end and standardisation that make its features.</summary>
    public AudioInputEncoding? AudioInput { get; init; }

    /// <summary>
    /// The devices (ids and/or fleet) the package is for; agents refuse a package that does not name them.
    /// </summary>
    public required ModelTargets Targets { get; init; }

    /// <summary>The recipe the model was trained by; written as the signed entry <c>recipe.json</c> when
    /// given.</summary>
    public TrainingRecipe? Recipe { get; init; }
}

/// <summary>Turns a trained <see cref="PnnModel"/> (and its black-box twin) into a signed model package.</summary>
public static class ModelPackager
{
    /// <summary>The package entry that holds the training recipe (listed and hashed in the signed manifest).</summary>
    public const string RecipeEntry = "recipe.json";

    /// <summary>
    /// Writes the signed package of <paramref name="model"/> to <paramref name="destination"/>, for the targets in
    /// <paramref name="metadata"/>; the manifest names <paramref name="privateKey"/>'s key id.
    /// </summary>
    public static ModelManifest Write(Stream destination, PnnModel model, MlpTwin? twin, PackageMetadata metadata,
        ECDsa privateKey, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var stages = new List<ModelStage>(model.Modules.Count);
        var physicalCount = 0;
        for (var i = 0; i < model.Modules.Count; i++)
        {
            var module = model.Modules[i];
            if (module is PhysicalLayer or ParallelLayers)
            {
                physicalCount++;
                stages.Add(PhysicalStage($"physical{physicalCount}", module));
                continue;
            }

            var name = $"stage{i.ToString(CultureInfo.InvariantCulture)}-{module.GetType().Name.ToLowerInvariant()}";
            var path = $"stages/{name}.onnx";
            files.Add(path, OnnxExporter.ExportModule(module, name));
            stages.Add(new ModelStage { Name = name, Kind = StageKind.Digital, InputSize = module.InputSize,
                OutputSize = module.OutputSize, File = path });
        }

        ModelTwin? twinEntry = null;
        if (twin is not null)
        {
            twinEntry = new ModelTwin("twin/twin.onnx", twin.Spec.Name);
            files.Add(twinEntry.File, OnnxExporter.ExportTwin(twin));
        }

        if (metadata.Recipe is not null)
        {
            files.Add(RecipeEntry, Encoding.UTF8.GetBytes(TrainingRecipeJson.Serialize(metadata.Recipe)));
        }

        var input = metadata.AudioInput is null
            ? new ModelInput(model.InputSize, ModelInput.FeatureVector)
            : new ModelInput(model.InputSize, ModelInput.AudioMfcc) { Audio = metadata.AudioInput };
        var manifest = new ModelManifest
        {
            SchemaVersion = ModelManifest.CurrentSchemaVersion,
            ModelVersion = metadata.ModelVersion,
            Task = metadata.Task,
            ClassLabels = metadata.ClassLabels,
            Input = input,
            Stages = stages,
            Twin = twinEntry,
            Files = [],
            CalibrationSha256 = PackageSigning.Sha256Hex(metadata.CalibrationSet),
            CreatedAt = (clock ?? TimeProvider.System).GetUtcNow(),
            TrainerId = metadata.TrainerId,
            Targets = metadata.Targets,
        };
        return ModelPackageWriter.Write(destination, manifest, files, privateKey);
    }

    // One physical layer, or a bank of them on the same layer (the wide hybrid): one stage whose θ are the branches' in
    // order.
    private static ModelStage PhysicalStage(string name, PnnModule module)
    {
        IReadOnlyList<PnnModule> branches = module is ParallelLayers bank ? bank.Branches : [module];
        var first = branches[0] as PhysicalLayer;
        var theta = new List<float>();
        foreach (var branch in branches)
        {
            if (branch is not PhysicalLayer layer || first is null
                || !string.Equals(layer.Spec.Name, first.Spec.Name, StringComparison.Ordinal))
            {
                throw new
                    ArgumentException($"Stage '{name}': a bank packages only physical layers of one spec, not "
                        + $"{branch.GetType().Name}.", nameof(module));
            }

            theta.AddRange(layer.Theta.Value);
        }

        return new ModelStage
        {
            Name = name,
            Kind = StageKind.Physical,
            InputSize = module.InputSize,
            OutputSize = module.OutputSize,
            Spec = first!.Spec,
            Theta = theta,
            Branches = branches.Count > 1 ? branches.Count : null,
        };
    }
}
