using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Trainer.Neural;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Tests.Training;

// The backprop-free modes on a small seeded problem: a noise-free Duffing part (so every run is deterministic) and
// three classes that differ by offsets in a third of the features each. A mode whose update pointed the wrong way
// would end above the readout trained alone, which only re-weighs what the untrained physics measures (checked for
// zo and local by negating the SPSA estimate: both tests then fail). For dfa a negated B is just another random
// feedback matrix, equally valid; there the test shows that the feedback trains more than the readout does alone.
public sealed class BackpropFreeModeTests
{
    private const int Classes = 3;
    private const int Batch = 16;
    private static readonly TrainingOptions Options = new()
    {
        Epochs = 20,
        BatchSize = Batch,
        LearningRate = 0.02,
        EvaluationPasses = 1,
        CurveEvery = 4,
        PerturbationDirections = 4,
        PerturbationSize = 0.1,
    };

    [Theory]
    [InlineData("dfa")]
    [InlineData("zo")]
    [InlineData("local")]
    public async Task Each_mode_lowers_the_loss_below_what_the_readout_alone_reaches(string name)
    {
        var mode = TrainingModes.Parse(name);
        var task = Task();
        var model = Model();
        var before = await LossAsync(model, task.Train);

        var result = await PnnTrainer.TrainAsync(model, task, mode, Twin(), null, Options, seed: 1,
            cancellationToken: TestContext.Current.CancellationToken);
        var after = await LossAsync(model, task.Train);
        var readoutOnly = await ReadoutOnlyLossAsync(task);

        Assert.True(after < 0.8 * before, $"{name}: loss {before:F4} → {after:F4}");
        Assert.True(after < readoutOnly, $"{name}: {after:F4} is no better than the readout alone ({readoutOnly:F4})");
        Assert.Equal(0, result.TwinPasses);
    }

    [Theory]
    [InlineData("pat", 1)]
    [InlineData("dfa", 1)]
    [InlineData("zo", 8)]
    [InlineData("local", 9)]
    public async Task Device_passes_are_counted_exactly(string name, int passesPerExampleAndLayer)
    {
        var mode = TrainingModes.Parse(name);
        var task = Task();
        var options = Options with { Epochs = 2, CurveEvery = 1, EvaluationPasses = 3, PerturbationDirections = 4 };
        var model = Model();

        var result = await PnnTrainer.TrainAsync(model, task, mode, Twin(), null, options, seed: 2,
            cancellationToken: TestContext.Current.CancellationToken);

        // zo plays the whole network at +c and −c per direction (2q); local plays it once unperturbed and each
        // block (one layer) at ±c per direction (1 + 2q per layer).
        var layers = model.PhysicalLayers.Count;
        var training = (long)options.Epochs * task.Train.Count * layers * passesPerExampleAndLayer;
        var evaluation = (long)(options.Epochs + options.EvaluationPasses) * task.Test.Count * layers;
        Assert.Equal(training, result.TrainingDrives);
        Assert.Equal(training + evaluation, result.DrivesSent);
        Assert.Equal(training, result.Curve[^1].TrainingDrives);
        Assert.Equal(mode == TrainingMode.Pat ? training : 0, result.TwinPasses);
    }

    private static ClassificationTask Task()
    {
        LabelledSet Set(int count, ulong seed)
        {
            var random = new NoiseSource(seed);
            var features = new float[count * 12];
            var labels = new int[count];
            for (var n = 0; n < count; n++)
            {
                labels[n] = n % Classes;
                for (var f = 0; f < 12; f++)
                {
                    var signal = f % Classes == labels[n] ? 0.3 : 0;
                    features[(n * 12) + f] = (float)(signal + (0.05 * random.NextGaussian()));
                }
            }

            return new LabelledSet(features, labels, 12);
        }

        return new ClassificationTask("offsets", Set(48, 1), Set(24, 2), ["a", "b", "c"]);
    }

    private static PnnModel Model()
    {
        var device = new SimulatedDevice(DuffingSystem.OdePhysics, "modes", Imperfections.None, 1);
        return PnnArchitectures.TwoLayerLinearReadout(device, 12, Classes, maxBatch: 48, seed: 7);
    }

    private static PhysicsTwin Twin() => new(DuffingSystem.OdePhysics, "nominal");

    private static async Task<double> LossAsync(PnnModel model, LabelledSet set)
    {
        var logits = await model.ForwardAsync(set.Features, set.Count, PassKind.Device, training: false);
        return Losses.SoftmaxCrossEntropy(logits.AsSpan(0, set.Count * Classes), set.Labels, Classes, []);
    }

    // The same network with only its digital readout trained (exact gradient), the same number of steps.
    private static async Task<double> ReadoutOnlyLossAsync(ClassificationTask task)
    {
        var model = Model();
        foreach (var layer in model.PhysicalLayers)
        {
            layer.ForwardOnly = true;
        }

        var tail = model.LastPhysicalModule + 1;
        var adam = new Adam([.. model.Modules.Skip(tail).SelectMany(m => m.Parameters)], Options.LearningRate);
        var gradient = new float[Batch * Classes];
        for (var epoch = 0; epoch < Options.Epochs; epoch++)
        {
            for (var start = 0; start < task.Train.Count; start += Batch)
            {
                adam.ZeroGradients();
                var inputs = task.Train.Features.AsMemory(start * 12, Batch * 12);
                var logits = await model.ForwardAsync(inputs, Batch, PassKind.Device, training: true);
                Losses.SoftmaxCrossEntropy(logits.AsSpan(0, Batch * Classes), task.Train.Labels.AsSpan(start, Batch),
                    Classes, gradient);
                model.Backward(gradient, Batch, tail);
                adam.Step();
            }
        }

        return await LossAsync(model, task.Train);
    }
}
