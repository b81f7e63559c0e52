using Edge.Domain.Devices;

namespace Edge.Trainer.Training;

/// <summary>The network shapes Edge trains, per physical system.</summary>
public static class PnnArchitectures
{
    /// <summary>
    /// Two physical layers on the same device with trainable element-wise scale/offset before each, and the class
    /// scores read from the first bins of the last layer times a trainable scalar (the reference protocol's network).
    /// </summary>
    public static PnnModel TwoLayer(IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed, float readoutScale = 10f)
        => Build(device, featureCount, classes, maxBatch, seed, new BinReadout(device.Spec.OutputSize, classes, readoutScale));

    /// <summary>
    /// The same two physical layers, read out by a digital linear layer over all output bins: every bin of the last
    /// layer (also those its parameters shape) can vote for every class.
    /// </summary>
    public static PnnModel TwoLayerLinearReadout(IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed)
        => Build(device, featureCount, classes, maxBatch, seed, new DigitalLinear("readout", device.Spec.OutputSize, classes, seed + 2));

    /// <summary>The default network for a system: the reference protocol's for duffing, the linear readout otherwise.</summary>
    public static PnnModel ForSystem(string system, IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed)
        => system == Domain.Simulation.Duffing.DuffingSystem.SystemName
            ? TwoLayer(device, featureCount, classes, maxBatch, seed)
            : TwoLayerLinearReadout(device, featureCount, classes, maxBatch, seed);

    private static PnnModel Build(IPhysicalDevice device, int featureCount, int classes, int maxBatch, ulong seed, PnnModule readout)
    {
        var spec = device.Spec;
        if (featureCount != spec.InputSize)
        {
            throw new ArgumentException($"The task has {featureCount} features but layer '{spec.Name}' takes {spec.InputSize} inputs.", nameof(featureCount));
        }

        if (spec.OutputSize != spec.InputSize)
        {
            throw new ArgumentException($"Layer '{spec.Name}' cannot be stacked: {spec.OutputSize} outputs feed {spec.InputSize} inputs.", nameof(device));
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
