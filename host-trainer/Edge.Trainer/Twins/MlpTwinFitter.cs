using Edge.Domain.Simulation;
using Edge.Trainer.Neural;
using Edge.Trainer.Training;

namespace Edge.Trainer.Twins;

/// <summary>Hyper-parameters of the black-box twin fit (defaults: the reference protocol).</summary>
public sealed record MlpTwinOptions
{
    /// <summary>Hidden layer widths.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [256, 256, 256];

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>The learning rate halves every this many epochs.</summary>
    public int HalvingEpochs { get; init; } = 20;

    /// <summary>Threads for the network's matrix products.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>A fitted twin with its scores.</summary>
/// <param name="Twin">The twin.</param>
/// <param name="ValidationNmse">NMSE on the held-out drives.</param>
/// <param name="TrainLoss">Normalised training MSE per epoch.</param>
/// <param name="ValidationLoss">Validation NMSE per epoch.</param>
public sealed record MlpTwinFit(MlpTwin Twin, double ValidationNmse, IReadOnlyList<double>
    TrainLoss, IReadOnlyList<double> ValidationLoss);

/// <summary>Fits the black-box MLP twin to measured device data.</summary>
public static class MlpTwinFitter
{
    /// <summary>Fits a new twin on <paramref name="data"/>.</summary>
    public static MlpTwinFit Fit(TwinData data, MlpTwinOptions options, ulong seed, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var spec = data.Spec;
        var network = new Mlp([spec.DriveLength, .. options.Hidden, spec.OutputSize],
            seed) { MaxDegreeOfParallelism = options.Threads };
        var twin = new MlpTwin(spec, network, (float)data.ResponseMean, (float)data.ResponseStd);
        var (trainLoss, validationLoss) = Train(twin, data, options, options.Epochs, seed, progress, cancellationToken);
        return new MlpTwinFit(twin, validationLoss[^1], trainLoss, validationLoss);
    }

    /// <summary>Continues training <paramref name="twin"/> on <paramref name="data"/> for <paramref name="epochs"/>
    /// epochs.</summary>
    public static (List<double> TrainLoss, List<double> ValidationLoss) Train(
        MlpTwin twin, TwinData data, MlpTwinOptions options, int epochs, ulong seed, IProgress<double>? progress = null,
            CancellationToken cancellationToken = default)
    {
        var spec = data.Spec;
        var driveLength = spec.DriveLength;
        var outputs = spec.OutputSize;
        var inputs = new float[data.Count * driveLength];
        var targets = new float[data.Count * outputs];
        twin.NormaliseDrives(data.Drives, inputs);
        twin.NormaliseResponses(data.Responses, targets);

        var network = twin.Network;
        var adam = new Adam(network.Parameters, options.LearningRate);
        var batchSize = options.BatchSize;
        var activations = new MlpActivations(network, Math.Max(batchSize, 1024));
        var batchInputs = new float[batchSize * driveLength];
        var batchTargets = new float[batchSize * outputs];
        var prediction = new float[batchSize * outputs];
        var gradient = new float[batchSize * outputs];
        var order = Permutation.Identity(data.TrainCount);

        var shuffle = new NoiseSource(seed ^ 0x5eed);
        var trainLoss = new List<double>();
        var validationLoss = new List<double>();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            adam.LearningRate = options.LearningRate * Math.Pow(0.5, epoch / options.HalvingEpochs);
            Permutation.Shuffle(order, shuffle);
            var lossSum = 0.0;
            var batches = 0;
            for (var start = 0; start < order.Length; start += batchSize)
            {
                var count = Math.Min(batchSize, order.Length - start);
                for (var b = 0; b < count; b++)
                {
                    var row = order[start + b];
                    inputs.AsSpan(row * driveLength, driveLength).CopyTo(batchInputs.AsSpan(b * driveLength));
                    targets.AsSpan(row * outputs, outputs).CopyTo(batchTargets.AsSpan(b * outputs));
                }

                adam.ZeroGradients();
                network.Forward(batchInputs.AsSpan(0, count * driveLength), count,
                    prediction.AsSpan(0, count * outputs), activations);
                lossSum
                    += Losses.MeanSquaredError(prediction.AsSpan(0, count * outputs),
                        batchTargets.AsSpan(0, count * outputs), gradient.AsSpan(0, count * outputs));
                network.Backward(activations, gradient.AsSpan(0, count * outputs), [],
                    accumulateParameterGradients: true);
                adam.Step();
                batches++;
            }

            trainLoss.Add(lossSum / batches);
            validationLoss.Add(ValidationNmse(network, inputs, targets, data, activations));
            progress?.Report((epoch + 1.0) / epochs);
        }

        return (trainLoss, validationLoss);
    }

    private static double ValidationNmse(Mlp network, float[] inputs, float[] targets, TwinData data,
        MlpActivations activations)
    {
        var driveLength = data.Spec.DriveLength;
        var outputs = data.Spec.OutputSize;
        var count = data.Count - data.TrainCount;
        if (count == 0)
        {
            return double.NaN;
        }

        var prediction = new float[activations.MaxBatch * outputs];
        var sum = 0.0;
        for (var start = 0; start < count; start += activations.MaxBatch)
        {
            var n = Math.Min(activations.MaxBatch, count - start);
            var row = data.TrainCount + start;
            network.Forward(inputs.AsSpan(row * driveLength, n * driveLength), n, prediction.AsSpan(0, n * outputs));
            for (var i = 0; i < n * outputs; i++)
            {
                var e = prediction[i] - (double)targets[(row * outputs) + i];
                sum += e * e;
            }
        }

        // Targets are normalised by the training std, so the mean squared error is already the NMSE.
        return sum / (count * outputs);
    }
}
