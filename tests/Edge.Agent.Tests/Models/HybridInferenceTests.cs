using Edge.Agent.Inference;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Edge.Trainer.Training;

namespace Edge.Agent.Tests.Models;

/// <summary>The agent's hybrid inference reproduces the trainer's forward of the same model on the same
/// device.</summary>
public sealed class HybridInferenceTests(TrainedPackages packages)
{
    [Fact]
    public async Task Hybrid_inference_equals_the_trainer_forward_on_an_identical_part()
    {
        var token = TestContext.Current.CancellationToken;
        var system = PhysicalSystems.Get(TrainedPackages.System);

        // Two identical parts (same id and noise seed) see the same drive sequence, so their noise is identical too:
        // what remains between the two results is ONNX Runtime against the managed digital stages.
        var trainerDevice = system.CreateDevice(TrainedPackages.DeviceId, seed: 77);
        var reference = packages.NewModel(trainerDevice, seed: 0);
        for (var p = 0; p < reference.Parameters.Count; p++)
        {
            packages.Trained.Parameters[p].Value.CopyTo(reference.Parameters[p].Value, 0);
        }

        var verified = ModelPackageReader.Read(packages.Package(packages.Trained, 1), packages.Trust);
        using var model = new HybridModel(verified,
            new ContextDroppingDevice(system.CreateDevice(TrainedPackages.DeviceId, seed: 77)));
        var test = packages.Task.Test;
        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var features = test.Row(i).ToArray();
            var expected = await reference.ForwardAsync(features, 1, PassKind.Device, training: false, token);
            var result = await model.ClassifyAsync(features, token);
            for (var k = 0; k < expected.Length / reference.MaxBatch; k++)
            {
                Assert.Equal(expected[k], model.LastLogits[k], 1e-4 * (1 + Math.Abs(expected[k])));
            }

            Assert.Equal(packages.Task.ClassNames[result.ClassIndex], result.Label);
            Assert.InRange(result.Confidence, 1f / 7, 1f);
            Assert.True(result.DeviceTime > TimeSpan.Zero && result.DigitalTime > TimeSpan.Zero);
            correct += result.ClassIndex == test.Labels[i] ? 1 : 0;
        }

        Assert.True(correct > test.Count / 2, $"only {correct} of {test.Count} right");
    }

    [Fact]
    public async Task A_bank_plays_every_branch_as_the_trainer_does_and_gives_its_logits()
    {
        var token = TestContext.Current.CancellationToken;
        var system = PhysicalSystems.Get(TrainedPackages.System);
        var reference = packages.NewWideModel(system.CreateDevice(TrainedPackages.DeviceId, seed: 77), seed: 0);
        for (var p = 0; p < reference.Parameters.Count; p++)
        {
            packages.Wide.Parameters[p].Value.CopyTo(reference.Parameters[p].Value, 0);
        }

        var device =
            new RecordingDevice(new ContextDroppingDevice(system.CreateDevice(TrainedPackages.DeviceId, seed: 77)));
        using var model = new HybridModel(ModelPackageReader.Read(packages.Package(packages.Wide, 1), packages.Trust),
            device);
        var test = packages.Task.Test;
        for (var i = 0; i < 10; i++)
        {
            var features = test.Row(i).ToArray();
            var expected = await reference.ForwardAsync(features, 1, PassKind.Device, training: false, token);
            await model.ClassifyAsync(features, token);
            for (var k = 0; k < model.LastLogits.Length; k++)
            {
                Assert.Equal(expected[k], model.LastLogits[k], 1e-4 * (1 + Math.Abs(expected[k])));
            }
        }

        // Two banks of two branches: four device calls per example, each the branch's context drive and its own.
        Assert.Equal(40, device.Calls.Count);
        Assert.All(device.Calls, call => Assert.Equal(2 * system.Spec.DriveLength, call.Length));
    }

    [Fact]
    public async Task Each_drive_is_played_right_after_the_previous_examples_drive_of_the_same_stage()
    {
        var token = TestContext.Current.CancellationToken;
        var device =
            new RecordingDevice(PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId,
                seed: 5));
        using var model = new HybridModel(ModelPackageReader.Read(packages.Package(packages.Trained, 1),
            packages.Trust), device);
        var test = packages.Task.Test;

        await model.ClassifyAsync(test.Row(0).ToArray(), token);
        await model.ClassifyAsync(test.Row(1).ToArray(), token);

        // Two physical stages, two examples: four device calls of two drives each.
        var length = device.Spec.DriveLength;
        Assert.Equal(4, device.Calls.Count);
        Assert.All(device.Calls, call => Assert.Equal(2 * length, call.Length));
        for (var stage = 0; stage < 2; stage++)
        {
            var first = device.Calls[stage];
            var second = device.Calls[2 + stage];
            // the very first drive has no predecessor: it is its own context
            Assert.Equal(first[length..], first[..length]);
            // then a stage's drive follows the previous example's drive of that stage
            Assert.Equal(first[length..], second[..length]);
            Assert.NotEqual(second[..length], second[length..]);
        }
    }

    [Fact]
    public async Task Bad_features_are_refused_before_reaching_the_device()
    {
        var device = PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, seed: 3);
        using var model = new HybridModel(ModelPackageReader.Read(packages.Package(packages.Trained, 1),
            packages.Trust), device);
        var wrongSize = await Assert.ThrowsAsync<ArgumentException>(async ()
            => await model.ClassifyAsync(new float[5], TestContext.Current.CancellationToken));
        Assert.Contains("takes 12 features; got 5", wrongSize.Message, StringComparison.Ordinal);
        var features = new float[12];
        features[4] = float.NaN;
        var nan = await Assert.ThrowsAsync<ArgumentException>(async ()
            => await model.ClassifyAsync(features, TestContext.Current.CancellationToken));
        Assert.Contains("Feature 5 is NaN", nan.Message, StringComparison.Ordinal);
        Assert.Equal(0, device.DrivesPlayed);
    }

    [Fact]
    public void A_model_for_another_layer_is_refused_by_the_device()
    {
        var duffing = PhysicalSystems.Get("duffing").CreateDevice("d-1", seed: 1);
        var error = Assert.Throws<ModelPackageException>(()
            => new HybridModel(ModelPackageReader.Read(packages.Package(packages.Trained, 1), packages.Trust),
                duffing));
        Assert.Contains("was trained for layer", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Plays only the last drive of each call on <paramref name="inner"/>: the sequence the trainer's forward
    /// plays.</summary>
    private sealed class ContextDroppingDevice(IPhysicalDevice inner) : IPhysicalDevice
    {
        public LayerSpec Spec => inner.Spec;

        public string DeviceId => inner.DeviceId;

        public async ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
            CancellationToken cancellationToken = default)
        {
            responses.Span.Clear();
            await inner.ForwardAsync(drives[^Spec.DriveLength..], responses[^Spec.OutputSize..], cancellationToken);
        }
    }

    private sealed class RecordingDevice(IPhysicalDevice inner) : IPhysicalDevice
    {
        public List<float[]> Calls { get; } = [];

        public LayerSpec Spec => inner.Spec;

        public string DeviceId => inner.DeviceId;

        public ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
            CancellationToken cancellationToken = default)
        {
            Calls.Add(drives.ToArray());
            return inner.ForwardAsync(drives, responses, cancellationToken);
        }
    }
}
