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
                new BinReadout(spec.OutputSize, classes, readoutScale),
            ],
            maxBatch);
    }
}
