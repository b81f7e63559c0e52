using System.Runtime.InteropServices;
using System.Text;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Trainer.Bench;
using Edge.Trainer.Export.Onnx;
using Edge.Trainer.Neural;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Export;

/// <summary>
/// Reads a signed package back into the trainer's model and twin, so a field update can start from exactly what an
/// agent runs (the inverse of <see cref="ModelPackager"/> and <see cref="OnnxExporter"/>; any mismatch between the
/// package and the architecture is a <see cref="ModelPackageException"/> naming the stage).
/// </summary>
public static class ModelPackageImporter
{
    /// <summary>
    /// Rebuilds the package's model for <paramref name="system"/> with its physical layers on
    /// <paramref name="device"/>: the network its <see cref="ModelPackager.RecipeEntry"/> describes, or the standard
    /// network of <paramref name="system"/> for a package without a recipe.
    /// </summary>
    public static PnnModel ImportModel(VerifiedModelPackage package, string system, IPhysicalDevice device,
        int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        var (features, classes) = (manifest.Input.Size, manifest.ClassLabels.Count);
        var recipe = ImportRecipe(package);
        var model = recipe?.ResolvedArchitecture switch
        {
            null or PnnArchitecture.Standard
                => PnnArchitectures.ForSystem(system, device, features, classes, maxBatch, seed: 0),
            PnnArchitecture.Wide => PnnArchitectures.WideHybrid(
                device, features, classes, recipe.Width, recipe.Layers, maxBatch, seed: 0),
            _ => throw new ModelPackageException(
                $"Model {manifest.ModelVersion}: the trainer cannot rebuild a '{recipe.Architecture}' network."),
        };
        if (model.Modules.Count != manifest.Stages.Count)
        {
            throw new
                ModelPackageException($"Model {manifest.ModelVersion} has {manifest.Stages.Count} stages; a '{system}' "
                    + $"network has {model.Modules.Count}.");
        }

        for (var i = 0; i < model.Modules.Count; i++)
        {
            var stage = manifest.Stages[i];
            switch (model.Modules[i])
            {
                case PhysicalLayer layer when stage.Kind == StageKind.Physical:
                    Copy(stage.Theta ?? [], layer.Theta, stage.Name);
                    break;
                case ParallelLayers bank when stage.Kind == StageKind.Physical:
                    CopyBank(stage, bank);
                    break;
                case PhysicalLayer:
                    throw new
                        ModelPackageException($"Stage '{stage.Name}' is digital where a '{system}' network has a "
                            + "physical layer.");
                case var module when stage.Kind == StageKind.Digital:
                    var initializers = Initializers(package, stage);
                    foreach (var (parameter, name) in Names(module, stage.Name))
                    {
                        Copy(Floats(initializers, name, stage.Name), parameter, stage.Name);
                    }

                    break;
                default:
                    throw new
                        ModelPackageException($"Stage '{stage.Name}' is physical where a '{system}' network has a "
                            + "digital module.");
            }
        }

        return model;
    }

    /// <summary>The package's signed training recipe (null for a package written before recipes).</summary>
    public static TrainingRecipe? ImportRecipe(VerifiedModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (!package.Manifest.Files.Any(f => f.Path == ModelPackager.RecipeEntry))
        {
            return null;
        }

        var json = Encoding.UTF8.GetString(package.File(ModelPackager.RecipeEntry).Span);
        try
        {
            return TrainingRecipeJson.Parse(json, ModelPackager.RecipeEntry);
        }
        catch (InvalidDataException e)
        {
            throw new ModelPackageException(
                $"Model {package.Manifest.ModelVersion}: {ModelPackager.RecipeEntry} is unusable: {e.Message}", e);
        }
    }

    /// <summary>The package's black-box twin (null when it carries none).</summary>
    public static MlpTwin? ImportTwin(VerifiedModelPackage package, Domain.Specs.LayerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(spec);
        if (package.Manifest.Twin is not { } twin)
        {
            return null;
        }

        var initializers = Parse(package.File(twin.File), twin.File);
        var sizes = new List<int> { spec.DriveLength };
        for (var l = 0; initializers.ContainsKey($"layer{l}.bias"); l++)
        {
            sizes.Add(Floats(initializers, $"layer{l}.bias", twin.File).Length);
        }

        var network = new Mlp(sizes, seed: 0);
        for (var l = 0; l < sizes.Count - 1; l++)
        {
            Copy(Floats(initializers, $"layer{l}.weight", twin.File), network.Parameters[2 * l], twin.File);
            Copy(Floats(initializers, $"layer{l}.bias", twin.File), network.Parameters[(2 * l) + 1], twin.File);
        }

        var std = Floats(initializers, "response_std", twin.File);
        var mean = Floats(initializers, "response_mean", twin.File);
        try
        {
            return new MlpTwin(spec, network, mean[0], std[0]);
        }
        catch (ArgumentException e)
        {
            throw new ModelPackageException($"Twin '{twin.File}' does not fit layer '{spec.Name}': {e.Message}", e);
        }
    }

    // A bank's stage holds the branches' θ one after the other (ModelPackager.PhysicalStage).
    private static void CopyBank(ModelStage stage, ParallelLayers bank)
    {
        var theta = stage.Theta ?? [];
        var offset = 0;
        foreach (var branch in bank.Branches)
        {
            if (branch is not PhysicalLayer layer || theta.Count - offset < layer.Theta.Value.Length)
            {
                throw new ModelPackageException(
                    $"Stage '{stage.Name}' has {theta.Count} θ values; the network's bank of {bank.Branches.Count} "
                    + "physical layers needs more.");
            }

            Copy([.. theta.Skip(offset).Take(layer.Theta.Value.Length)], layer.Theta, stage.Name);
            offset += layer.Theta.Value.Length;
        }

        if (offset != theta.Count)
        {
            throw new ModelPackageException(
                $"Stage '{stage.Name}' has {theta.Count} θ values; the network's bank needs {offset}.");
        }
    }

    private static (Parameter, string)[] Names(PnnModule module, string stage) => module switch
    {
        ElementwiseAffine affine => [(affine.Parameters[0], "scale"), (affine.Parameters[1], "offset")],
        DigitalLinear linear => [(linear.Parameters[0], "linear.weight"), (linear.Parameters[1], "linear.bias")],
        BinReadout readout => [(readout.Parameters[0], "readout_scale")],
        _ => throw new ModelPackageException($"Stage '{stage}': the trainer cannot import a {module.GetType().Name}."),
    };

    private static Dictionary<string, TensorProto> Initializers(VerifiedModelPackage package, ModelStage stage)
        => Parse(package.File(stage.File
            ?? throw new ModelPackageException($"Digital stage '{stage.Name}' names no ONNX file.")), stage.File);

    private static Dictionary<string, TensorProto> Parse(ReadOnlyMemory<byte> onnx, string file)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx.Span);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new ModelPackageException($"'{file}' is not a readable ONNX model: {e.Message}", e);
        }

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in model.Graph?.Initializer ?? [])
        {
            initializers[tensor.Name] = tensor;
        }

        return initializers;
    }

    private static float[] Floats(Dictionary<string, TensorProto> initializers, string name, string file)
    {
        if (!initializers.TryGetValue(name, out var tensor) || tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new ModelPackageException($"'{file}' has no float initializer '{name}'.");
        }

        return tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : [.. tensor.FloatData];
    }

    private static void Copy(IReadOnlyList<float> values, Parameter parameter, string stage)
    {
        if (values.Count != parameter.Value.Length)
        {
            throw new
                ModelPackageException($"Stage '{stage}': '{parameter.Name}' has {values.Count} values; the network "
                    + $"needs {parameter.Value.Length}.");
        }

        for (var i = 0; i < values.Count; i++)
        {
            parameter.Value[i] = values[i];
        }
    }
}
