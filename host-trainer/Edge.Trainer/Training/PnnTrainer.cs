using System.Diagnostics;
using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Neural;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Training;

/// <summary>
/// Trains a hybrid PNN in any <see cref="TrainingMode"/>. All modes share this loop; they differ only in where the
/// forward pass runs and what supplies the gradient (a twin, feedback alignment, or forward-only estimates), so their
/// numbers compare like for like.
/// </summary>
public static class PnnTrainer
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="task"/> and evaluates it through its
    /// device.</summary>
    /// <param name="model">A freshly initialised model whose physical layers run on the device to use.</param>
    /// <param name="task">Training and test data.</param>
    /// <param name="mode">Training mode.</param>
    /// <param name="twin">The fitted twin (black-box or gray-box).</param>
    /// <param name="twinData">The data the twin was fitted on (pat-refine replays it so the twin does not
    /// forget).</param>
    /// <param name="options">Hyper-parameters.</param>
    /// <param name="seed">Seed for shuffling.</param>
    /// <param name="progress">Receives the fraction done.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<TrainingResult> TrainAsync(
        PnnModel model,
        ClassificationTask task,
        TrainingMode mode,
        ITwin twin,
        TwinData? twinData,
        TrainingOptions options,
        ulong seed,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var gradients = ConfigureTwins(model, mode, twin);
        var refiner = mode == TrainingMode.PatRefine
            ? new OnlineTwinRefiner((MlpTwin)gradients.Twin,
                twinData
                    ?? throw new ArgumentNullException(nameof(twinData), "pat-refine needs the twin's fitting data."),
                        options, seed)
            : null;
        var feedback = mode == TrainingMode.Dfa
            ? new DirectFeedbackAlignment(task.ClassCount, model.MaxBatch, seed, options.FeedbackScale)
            : null;
        feedback?.Attach(model);
        IForwardOnlyTraining? forwardOnly = mode switch
        {
            TrainingMode.Zo => new ZerothOrderTraining(model, options, seed),
            TrainingMode.Local => new PhysicalLocalLearning(model, options, seed),
            _ => null,
        };
        var rate = forwardOnly is null ? options.LearningRate : options.PerturbationLearningRate;
        var adam = new Adam([.. model.Parameters, .. forwardOnly?.ExtraParameters ?? []], rate);
        var pass = mode == TrainingMode.InSilico ? PassKind.Twin : PassKind.Device;
        var train = task.Train;
        var features = train.FeatureCount;
        var classes = task.ClassCount;
        var batchInputs = new float[options.BatchSize * features];
        var batchLabels = new int[options.BatchSize];
        var logitGradient = new float[options.BatchSize * classes];
        var order = Permutation.Identity(train.Count);

        var steps = (long)options.Epochs * ((train.Count + options.BatchSize - 1) / options.BatchSize);
        var step = 0L;
        var shuffle = new NoiseSource(seed ^ 0xba7c);
        var inputNoise = new NoiseSource(seed ^ 0x5eed_0f_a1);
        var curve = new List<EpochRecord>();
        var curveDrives = 0L;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            Permutation.Shuffle(order, shuffle);
            var lossSum = 0.0;
            var correct = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(options.BatchSize, order.Length - start);
                for (var b = 0; b < count; b++)
                {
                    train.Row(order[start + b]).CopyTo(batchInputs.AsSpan(b * features));
                    batchLabels[b] = train.Labels[order[start + b]];
                }

                AddNoise(batchInputs.AsSpan(0, count * features), options.InputNoise, inputNoise);

                gradients.Refresh();
                adam.LearningRate = options.Schedule.At(rate, step++, steps);
                adam.ZeroGradients();
                if (forwardOnly is not null)
                {
                    var (loss, right) = await forwardOnly.StepAsync(batchInputs, batchLabels, count, cancellationToken)
                        .ConfigureAwait(false);
                    lossSum += loss * count;
                    correct += right;
                }
                else
                {
                    var logits = await model.ForwardAsync(batchInputs, count, pass, training: true,
                        cancellationToken).ConfigureAwait(false);
                    correct += Scoring.CountCorrect(logits, batchLabels.AsSpan(0, count), classes);
                    lossSum
                        += (Losses.SoftmaxCrossEntropy(logits.AsSpan(0, count * classes), batchLabels.AsSpan(0, count),
                            classes, logitGradient.AsSpan(0, count * classes)) + model.Penalty) * count;
                    feedback?.Capture(logitGradient, count);
                    model.Backward(logitGradient, count);
                }

                adam.Step();
                model.AfterStep();
                refiner?.Learn(model, count);
            }

            var trainingDrives = model.DrivesSent - curveDrives;
            double? testAccuracy = options.CurveEvery > 0 && (epoch % options.CurveEvery == 0 || epoch == 1)
                ? (await EvaluateAsync(model, task, PassKind.Device, 1,
                    cancellationToken).ConfigureAwait(false)).Accuracy
                : null;
            curveDrives = model.DrivesSent - trainingDrives;
            curve.Add(new EpochRecord(epoch, lossSum / train.Count, (double)correct / train.Count, testAccuracy,
                trainingDrives));
            progress?.Report((double)epoch / options.Epochs);
        }

        var trainedDrives = model.DrivesSent - curveDrives;
        var twinPasses = model.TwinPasses;
        var device = await EvaluateAsync(model, task, PassKind.Device, options.EvaluationPasses,
            cancellationToken).ConfigureAwait(false);
        var predicted = await EvaluateAsync(model, task, PassKind.Twin, 1, cancellationToken).ConfigureAwait(false);
        return new TrainingResult(mode, seed, device.Accuracy, device.PassAccuracies, predicted.Accuracy,
            device.Confusion, curve, model.DrivesSent, clock.Elapsed.TotalSeconds, trainedDrives, twinPasses);
    }

    /// <summary>Accuracy on the test set, forwarded through the device or the twin, averaged over passes.</summary>
    public static async Task<(double Accuracy, double[] PassAccuracies, int[,] Confusion)> EvaluateAsync(
        PnnModel model, ClassificationTask task, PassKind pass, int passes,
            CancellationToken cancellationToken = default)
    {
        var test = task.Test;
        var classes = task.ClassCount;
        var confusion = new int[classes, classes];
        var accuracies = new double[passes];
        for (var p = 0; p < passes; p++)
        {
            var correct = 0;
            for (var start = 0; start < test.Count; start += model.MaxBatch)
            {
                var count = Math.Min(model.MaxBatch, test.Count - start);
                var logits = await model.ForwardAsync(test.Features.AsMemory(start * test.FeatureCount,
                    count * test.FeatureCount), count, pass, training: false, cancellationToken).ConfigureAwait(false);
                for (var b = 0; b < count; b++)
                {
                    var predicted = Scoring.ArgMax(logits.AsSpan(b * classes, classes));
                    var actual = test.Labels[start + b];
                    confusion[actual, predicted]++;
                    correct += predicted == actual ? 1 : 0;
                }
            }

            accuracies[p] = (double)correct / test.Count;
        }

        var mean = 0.0;
        foreach (var a in accuracies)
        {
            mean += a / passes;
        }

        return (mean, accuracies, confusion);
    }

    private static GradientSource ConfigureTwins(PnnModel model, TrainingMode mode, ITwin twin)
    {
        ITwin gradientTwin = twin;
        SimulatedDevice? simulated = null;
        if (mode == TrainingMode.Ideal)
        {
            simulated = model.PhysicalLayers[0].Device as SimulatedDevice
                ?? throw new
                    InvalidOperationException("The ideal baseline needs the device's true physics, so it runs only on "
                        + "a simulated device.");
            gradientTwin = new PhysicsTwin(simulated.Physics, "true physics (noise-free)");
        }
        else if (mode == TrainingMode.PatRefine)
        {
            gradientTwin = (twin as MlpTwin
                ?? throw new InvalidOperationException("pat-refine fine-tunes a black-box MLP twin; use --twin mlp."))
                    .Clone();
        }

        foreach (var layer in model.PhysicalLayers)
        {
            layer.ForwardTwin = gradientTwin;
            layer.GradientTwin = gradientTwin;
        }

        return new GradientSource(gradientTwin, simulated);
    }

    private static void AddNoise(Span<float> inputs, double deviation, NoiseSource noise)
    {
        if (deviation <= 0)
        {
            return;
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] += (float)(deviation * noise.NextGaussian());
        }
    }

    // For the ideal baseline the "twin" is the device's own physics, kept at the part's current (drifted) values.
    private sealed record GradientSource(ITwin Twin, SimulatedDevice? Device)
    {
        public void Refresh()
        {
            if (Device is not null && Twin is PhysicsTwin physics)
            {
                Device.CurrentCoefficients(physics.Coefficients);
            }
        }
    }
}
