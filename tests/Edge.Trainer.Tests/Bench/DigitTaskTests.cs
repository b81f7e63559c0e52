using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Cli;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Tests.Bench;

/// <summary>Spoken digits and MNIST through the electronic device at reduced size: hybrid PNN with PAT, and the digital
/// baseline.</summary>
public sealed class DigitTaskTests : IClassFixture<DigitTaskTests.ElectronicTwin>
{
    private static readonly TrainingOptions Training = new() { Epochs = 12, LearningRate = 0.01, EvaluationPasses = 1,
        CurveEvery = 0 };
    private readonly ElectronicTwin _twin;

    public DigitTaskTests(ElectronicTwin twin) => _twin = twin;

    [Fact]
    public async Task Spoken_digits_are_learned_through_the_device_with_pat()
    {
        // Recordings 0-4 test, 5-9 train: 250 each, chance is 10 %.
        var task = FsddDataset.Load(maxIndex: 9).Conventional();
        var result = await Train(task, TrainingMode.Pat);

        Assert.True(result.TestAccuracy > 0.6, $"PAT reached only {result.TestAccuracy:P1} on spoken digits");
        Assert.True(result.DrivesSent > 0);
    }

    [Fact]
    public async Task Mnist_is_learned_through_the_device_with_pat()
    {
        var task = MnistDataset.Load(maxPerSplit: 500);
        var result = await Train(task, TrainingMode.Pat);

        Assert.True(result.TestAccuracy > 0.5, $"PAT reached only {result.TestAccuracy:P1} on MNIST");
    }

    [Fact]
    public async Task Digital_baseline_matches_the_hybrid_parameter_count_and_never_touches_the_device()
    {
        var task = FsddDataset.Load(maxIndex: 9).Conventional();
        var device = ElectronicTwin.System.CreateDevice("edge-sim-0001", seed: 5);
        var hybrid = PnnArchitectures.ForSystem("electronic", device, task.Train.FeatureCount, task.ClassCount, 256, 0);
        var digital = PnnArchitectures.Digital(task.Train.FeatureCount, task.ClassCount,
            PnnArchitectures.ParameterCount(hybrid), 256, 0);

        Assert.Empty(digital.PhysicalLayers);
        Assert.InRange(PnnArchitectures.ParameterCount(digital),
            PnnArchitectures.ParameterCount(hybrid) - task.Train.FeatureCount - 11,
                PnnArchitectures.ParameterCount(hybrid) + task.Train.FeatureCount + 11);
        var result = await PnnTrainer.TrainAsync(digital, task, TrainingMode.Digital, _twin.Twin, _twin.Data, Training,
            0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.TestAccuracy > 0.6, $"digital reached only {result.TestAccuracy:P1}");
        Assert.Equal(0, result.DrivesSent);
    }

    [Fact]
    public async Task Input_noise_perturbs_the_training_inputs_afresh_and_never_the_test_set()
    {
        var task = FsddDataset.Load(maxIndex: 9).Conventional();
        async Task<TrainingResult> TrainDigital(double noise)
        {
            var model = PnnArchitectures.Digital(task.Train.FeatureCount, task.ClassCount, 3_000, 256, 0);
            return await PnnTrainer.TrainAsync(model, task, TrainingMode.Digital, _twin.Twin, _twin.Data,
                Training with { InputNoise = noise }, 0, cancellationToken: TestContext.Current.CancellationToken);
        }

        var clean = await TrainDigital(0);
        var mild = await TrainDigital(0.3);
        var drowned = await TrainDigital(100);

        // Standardised features drowned in σ = 100 noise carry nothing to learn from, batch after batch.
        Assert.True(drowned.Curve[^1].TrainAccuracy < 0.3,
            $"training accuracy {drowned.Curve[^1].TrainAccuracy:P1} under σ = 100 noise");
        Assert.True(clean.Curve[^1].TrainAccuracy > 0.9,
            $"training accuracy {clean.Curve[^1].TrainAccuracy:P1} without noise");

        // Mild noise changes what is learned but the clean test set still scores as a trained model.
        Assert.NotEqual(clean.Curve[^1].TrainLoss, mild.Curve[^1].TrainLoss);
        Assert.True(mild.TestAccuracy > 0.6, $"test accuracy {mild.TestAccuracy:P1} after training with σ = 0.3");
        Assert.Contains("--input-noise must be zero or a positive number", Assert.Throws<ArgumentException>(()
            => BenchCommand.NonNegative(-0.1, "--input-noise")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_names_and_splits_are_checked()
    {
        Assert.Contains("Available tasks: vowels, mnist, fsdd", Assert.Throws<ArgumentException>(()
            => BenchTasks.Load("cifar")).Message, StringComparison.Ordinal);
        Assert.True(BenchCommand.IsLeaveOneSpeakerOut("fsdd", "loso"));
        Assert.False(BenchCommand.IsLeaveOneSpeakerOut("fsdd", "conventional"));
        Assert.Contains("applies to --task fsdd only", Assert.Throws<ArgumentException>(()
            => BenchCommand.IsLeaveOneSpeakerOut("mnist", "loso")).Message, StringComparison.Ordinal);
        Assert.Contains("Valid splits: conventional, loso", Assert.Throws<ArgumentException>(()
            => BenchCommand.IsLeaveOneSpeakerOut("fsdd", "kfold")).Message, StringComparison.Ordinal);
        Assert.Equal(TrainingMode.Digital, TrainingModes.Parse("digital"));
    }

    private async Task<TrainingResult> Train(ClassificationTask task, TrainingMode mode)
    {
        var device = ElectronicTwin.System.CreateDevice("edge-sim-0001", seed: 7);
        device.MaxDegreeOfParallelism = 2;
        var model = PnnArchitectures.ForSystem("electronic", device, task.Train.FeatureCount, task.ClassCount,
            Math.Max(Training.BatchSize, task.Test.Count), 0);
        Assert.IsType<DigitalLinear>(model.Modules[0]);
        return await PnnTrainer.TrainAsync(model, task, mode, _twin.Twin, _twin.Data, Training, 0,
            cancellationToken: TestContext.Current.CancellationToken);
    }

    public sealed class ElectronicTwin : IAsyncLifetime
    {
        public static IPhysicalSystem System { get; } = PhysicalSystems.Get("electronic");

        public TwinData Data { get; private set; } = null!;

        public MlpTwin Twin { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var device = System.CreateDevice("edge-sim-0001", seed: 1_000_003);
            device.MaxDegreeOfParallelism = 2;
            Data = await TwinData.CollectAsync(device, new TwinDataOptions { Samples = 4_000, NoiseFloorSamples = 200 },
                seed: 17, cancellationToken: TestContext.Current.CancellationToken);
            Twin = MlpTwinFitter.Fit(Data, new MlpTwinOptions { Epochs = 15, Hidden = [128, 128], Threads = 2 },
                seed: 23).Twin;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
