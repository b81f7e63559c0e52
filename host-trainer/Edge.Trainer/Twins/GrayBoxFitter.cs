using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Trainer.Neural;
using Edge.Trainer.Training;

namespace Edge.Trainer.Twins;

/// <summary>Hyper-parameters of the gray-box calibration.</summary>
public sealed record GrayBoxOptions
{
    /// <summary>Adam learning rate on the relative coefficients and the calibration.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 4;

    /// <summary>Worker threads for the physics.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>A calibrated gray-box twin with its validation score.</summary>
/// <param name="Twin">The twin.</param>
/// <param name="ValidationNmse">NMSE on the held-out drives.</param>
/// <param name="TrainLoss">Normalised training MSE per epoch.</param>
public sealed record GrayBoxFit(PhysicsTwin Twin, double ValidationNmse, IReadOnlyList<double> TrainLoss);

/// <summary>
/// Calibrates the nominal physics against measured data: every coefficient is learned as a multiple of its datasheet
/// value, plus a gain and an offset per output that absorb converter and amplifier errors.
/// </summary>
public static class GrayBoxFitter
{
    /// <summary>Fits the gray-box twin of <paramref name="physics"/> on <paramref name="data"/>.</summary>
    public static GrayBoxFit Fit(IDifferentiablePhysics physics, TwinData data, GrayBoxOptions options, ulong
        seed, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var twin = new PhysicsTwin(physics,
            "gray-box physics (calibrated)") { MaxDegreeOfParallelism = options.Threads };
        var coefficientCount = physics.Coefficients.Count;
        var outputs = physics.Spec.OutputSize;
        var driveLength = physics.Spec.DriveLength;
        var scale = new Parameter("coefficient-scale", coefficientCount);
        var gain = new Parameter("gain", outputs);
        var offset = new Parameter("offset", outputs);
        Array.Fill(scale.Value, 1f);
        Array.Fill(gain.Value, 1f);
        var adam = new Adam([scale, gain, offset], options.LearningRate);
        var workspace = twin.CreateWorkspace(options.BatchSize);
        var batchDrives = new float[options.BatchSize * driveLength];
        var batchTargets = new float[options.BatchSize * outputs];
        var prediction = new float[options.BatchSize * outputs];
        var gradient = new float[options.BatchSize * outputs];
        var calibrationGradient = new double[coefficientCount + (2 * outputs)];
        var order = Permutation.Identity(data.TrainCount);

        var random = new NoiseSource(seed ^ 0x9a7b);
        var variance = data.ResponseStd * data.ResponseStd;
        var history = new List<double>();
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            Permutation.Shuffle(order, random);
            var lossSum = 0.0;
            var batches = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(options.BatchSize, order.Length - start);
                for (var b = 0; b < count; b++)
                {
                    var row = order[start + b];
                    data.Drives.AsSpan(row * driveLength, driveLength).CopyTo(batchDrives.AsSpan(b * driveLength));
                    data.Responses.AsSpan(row * outputs, outputs).CopyTo(batchTargets.AsSpan(b * outputs));
                }

                Apply(twin, physics, scale, gain, offset, data.ResponseStd);
                twin.Forward(batchDrives.AsSpan(0, count * driveLength), count, prediction, workspace);
                lossSum
                    += Losses.MeanSquaredError(prediction.AsSpan(0, count * outputs),
                        batchTargets.AsSpan(0, count * outputs), gradient.AsSpan(0, count * outputs)) / variance;
                Array.Clear(calibrationGradient);
                twin.Backward(workspace, gradient.AsSpan(0, count * outputs), [], calibrationGradient);

                // Normalise the step by the response variance so the learning rate does not depend on units.
                for (var c = 0; c < coefficientCount; c++)
                {
                    scale.Gradient[c] = (float)(calibrationGradient[c] * physics.Coefficients[c].Nominal / variance);
                }

                for (var o = 0; o < outputs; o++)
                {
                    gain.Gradient[o] = (float)(calibrationGradient[coefficientCount + o] / variance);
                    offset.Gradient[o] = (float)(calibrationGradient[coefficientCount + outputs + o]
                        / data.ResponseStd);
                }

                adam.Step();
                batches++;
            }

            history.Add(lossSum / batches);
            progress?.Report((epoch + 1.0) / options.Epochs);
        }

        Apply(twin, physics, scale, gain, offset, data.ResponseStd);
        return new GrayBoxFit(twin, ValidationNmse(twin, data), history);
    }

    /// <summary>NMSE of <paramref name="twin"/> on the validation rows of <paramref name="data"/>.</summary>
    public static double ValidationNmse(ITwin twin, TwinData data)
    {
        var count = data.Count - data.TrainCount;
        var driveLength = data.Spec.DriveLength;
        var outputs = data.Spec.OutputSize;
        var prediction = new float[count * outputs];
        var workspace = twin.CreateWorkspace(count);
        twin.Forward(data.Drives.AsSpan(data.TrainCount * driveLength, count * driveLength), count, prediction,
            workspace);
        return data.Nmse(prediction, data.Responses.AsSpan(data.TrainCount * outputs, count * outputs));
    }

    // Offsets are learned in units of the response std so all calibration parameters move at similar rates.
    private static void Apply(PhysicsTwin twin, IDifferentiablePhysics physics, Parameter scale, Parameter gain,
        Parameter offset, double responseStd)
    {
        for (var c = 0; c < scale.Value.Length; c++)
        {
            twin.Coefficients[c] = physics.Coefficients[c].Nominal * scale.Value[c];
        }

        for (var o = 0; o < gain.Value.Length; o++)
        {
            twin.Gain[o] = gain.Value[o];
            twin.Offset[o] = offset.Value[o] * responseStd;
        }
    }
}
