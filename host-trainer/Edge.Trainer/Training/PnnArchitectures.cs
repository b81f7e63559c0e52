using Edge.Domain.Devices;

namespace Edge.Trainer.Training;

/// <summary>The network shapes Edge trains, per physical system.</summary>
public static class PnnArchitectures
{
    /// <summary>
    /// Two physical layers on the same device with trainable element-wise scale/offset before each, and the class
    /// scores read from the first bins of the last layer times a trainable scalar (the reference protocol's network).
    /// </summary>
    public static PnnModel TwoLayer(IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed,
        float readoutScale = 10f)
        => Build(device, featureCount, classes, maxBatch, seed,
            new BinReadout(device.Spec.OutputSize, classes, readoutScale));

    /// <summary>
    /// The same two physical layers, read out by a digital linear layer over all output bins: every bin of the last
    /// layer (also those its parameters shape) can vote for every class.
    /// </summary>
    public static PnnModel TwoLayerLinearReadout(IPhysicalDevice device, int featureCount, int classes, int maxBatch,
        ulong seed)
        => Build(device, featureCount, classes, maxBatch, seed,
            new DigitalLinear("readout", device.Spec.OutputSize, classes, seed + 2));

    /// <summary>
    /// The default network for a system: the reference protocol's for duffing, the linear readout otherwise; a task
    /// with more (or fewer) features than the layer's inputs gets a digital linear input layer (<see cref="Hybrid"/>).
    /// </summary>
    public static PnnModel ForSystem(string system, IPhysicalDevice device, int featureCount, int classes, int maxBatch,
        ulong seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (featureCount != device.Spec.InputSize)
        {
            return Hybrid(device, featureCount, classes, maxBatch, seed);
        }

        return system == Domain.Simulation.Duffing.DuffingSystem.SystemName
            ? TwoLayer(device, featureCount, classes, maxBatch, seed)
            : TwoLayerLinearReadout(device, featureCount, classes, maxBatch, seed);
    }

    /// <summary>
    /// Digital linear from the task's features into the layer's inputs (its range kept by the layer's penalty), two
    /// physical layers with element-wise glue, and a digital linear readout over all output bins.
    /// </summary>
    public static PnnModel Hybrid(IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        var spec = device.Spec;
        return new PnnModel(
            [
                new DigitalLinear("input", featureCount, spec.InputSize, seed + 3),
                new PhysicalLayer("layer1", spec, device, maxBatch, seed),
                new ElementwiseAffine("between", spec.OutputSize),
                new PhysicalLayer("layer2", spec, device, maxBatch, seed + 1),
                new DigitalLinear("readout", spec.OutputSize, classes, seed + 2),
            ],
            maxBatch);
    }

    /// <summary>
    /// The hybrid made wider: a digital linear layer from the features into <paramref name="width"/> copies of the
    /// layer's inputs, <paramref name="layers"/> banks of <paramref name="width"/> physical branches on the same device
    /// (each its own θ) with element-wise glue between banks, and a digital linear readout over the last bank's bins.
    /// Width 1 with two layers is <see cref="Hybrid"/>.
    /// </summary>
    public static PnnModel WideHybrid(IPhysicalDevice device, int featureCount, int classes, int width, int layers,
        int maxBatch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        if (width == 1 && layers == 2)
        {
            return Hybrid(device, featureCount, classes, maxBatch, seed);
        }

        var spec = device.Spec;
        if (layers > 1 && spec.OutputSize != spec.InputSize)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}' cannot be stacked: {spec.OutputSize} outputs feed "
                    + $"{spec.InputSize} inputs.", nameof(layers));
        }

        var modules = new List<PnnModule> { new DigitalLinear("input", featureCount, width * spec.InputSize,
            seed + 3) };
        AppendChain(modules, device, width, layers, maxBatch, seed, l => l == 1 ? "between" : $"between{l}");
        modules.Add(new DigitalLinear("readout", width * spec.OutputSize, classes, seed + 2));
        return new PnnModel(modules, maxBatch);
    }

    /// <summary>
    /// The paper's image encoding: the pixels, through a trainable element-wise scale and offset, are the drive's
    /// data segments (<see cref="Bench.PixelDriveSystem"/>); <paramref name="layers"/> physical layers are chained
    /// through element-wise glue (the layer has as many bins as pixels, so one layer's bins drive the next), and a
    /// digital linear readout maps the last layer's bins to the classes. With <paramref name="scans"/> above 1 the
    /// image is played in that many scan orders (<see cref="ImageScans"/>), each through its own chain of layers on
    /// the same part, and the readout sees the bins of all of them.
    /// </summary>
    public static PnnModel PixelDrive(IPhysicalDevice device, int featureCount, int classes, int layers, int scans,
        int maxBatch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        var spec = device.Spec;
        if (layers > 1 && spec.OutputSize != spec.InputSize)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}' cannot be stacked: {spec.OutputSize} bins feed "
                    + $"{spec.InputSize} inputs.", nameof(layers));
        }

        if (featureCount != spec.InputSize)
        {
            throw new
                ArgumentException($"The task has {featureCount} features but the pixel drive of '{spec.Name}' takes "
                    + $"{spec.InputSize}.", nameof(featureCount));
        }

        var side = (int)Math.Round(Math.Sqrt(featureCount));
        if (scans > 1 && side * side != featureCount)
        {
            throw new ArgumentException($"Scan orders need a square image; {featureCount} pixels are not one.",
                nameof(scans));
        }

        var modules = new List<PnnModule>();
        if (scans > 1)
        {
            modules.Add(new ImageScans(side, scans));
        }

        modules.Add(new ElementwiseAffine("input", scans * featureCount));
        AppendChain(modules, device, scans, layers, maxBatch, seed, l => $"between{l}");
        modules.Add(new DigitalLinear("readout", scans * spec.OutputSize, classes, seed + 2));
        return new PnnModel(modules, maxBatch);
    }

    /// <summary>
    /// A purely digital tanh network (features → hidden → classes) whose trainable parameter count is as close as
    /// possible to <paramref name="parameterBudget"/> (the hybrid it is compared with, θ included).
    /// </summary>
    public static PnnModel Digital(int featureCount, int classes, int parameterBudget, int maxBatch, ulong seed)
    {
        var hidden = Math.Max(1, (int)Math.Round((double)(parameterBudget - classes) / (featureCount + 1 + classes)));
        return new PnnModel(
            [
                new DigitalLinear("hidden", featureCount, hidden, seed + 3),
                new DigitalTanh(hidden),
                new DigitalLinear("readout", hidden, classes, seed + 2),
            ],
            maxBatch);
    }

    /// <summary>Trainable values of a model, physical parameters θ included.</summary>
    public static int ParameterCount(PnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = 0;
        foreach (var parameter in model.Parameters)
        {
            count += parameter.Value.Length;
        }

        return count;
    }

    // layers physical stages in series with element-wise glue between them; each stage one layer, or a bank of width
    // branches (each its own θ). Stage l is seeded seed + 1000·l, so the first stage of every network starts alike.
    private static void AppendChain(List<PnnModule> modules, IPhysicalDevice device, int width, int layers, int
        maxBatch, ulong seed, Func<int, string> betweenName)
    {
        var spec = device.Spec;
        for (var l = 0; l < layers; l++)
        {
            if (l > 0)
            {
                modules.Add(new ElementwiseAffine(betweenName(l), width * spec.OutputSize));
            }

            var layerSeed = seed + (ulong)(l * 1000);
            modules.Add(width == 1
                ? new PhysicalLayer($"layer{l + 1}", spec, device, maxBatch, layerSeed)
                : Bank($"layer{l + 1}", device, width, maxBatch, layerSeed));
        }
    }

    private static ParallelLayers Bank(string name, IPhysicalDevice device, int width, int maxBatch, ulong seed)
    {
        var branches = new PnnModule[width];
        for (var k = 0; k < width; k++)
        {
            branches[k] = new PhysicalLayer($"{name}.{k}", device.Spec, device, maxBatch, seed + (ulong)k);
        }

        return new ParallelLayers(branches, maxBatch);
    }

    private static PnnModel Build(IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed,
        PnnModule readout)
    {
        var spec = device.Spec;
        if (featureCount != spec.InputSize)
        {
            throw new
                ArgumentException($"The task has {featureCount} features but layer '{spec.Name}' takes "
                    + $"{spec.InputSize} inputs.", nameof(featureCount));
        }

        if (spec.OutputSize != spec.InputSize)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}' cannot be stacked: {spec.OutputSize} outputs feed "
                    + $"{spec.InputSize} inputs.", nameof(device));
        }

        return new PnnModel(
            [
                new ElementwiseAffine("input", featureCount),
                new PhysicalLayer("layer1", spec, device, maxBatch, seed),
                new ElementwiseAffine("between", spec.OutputSize),
                new PhysicalLayer("layer2", spec, device, maxBatch, seed + 1),
                readout,
            ],
            maxBatch);
    }
}
