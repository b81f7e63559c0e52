using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Trainer.Training;

namespace Edge.Trainer.Tests.Training;

// The drives' range penalty is a known function of the drives, so the forward-only modes get its exact gradient
// instead of measuring it (zo and local): on the field plate zo's two-point differences were mostly penalty and it
// stayed at chance.
public sealed class ForwardOnlyPenaltyTests
{
    private const int Batch = 4;
    private const int Classes = 3;

    [Fact]
    public async Task A_forward_only_layer_passes_back_the_penalty_gradient_and_nothing_from_the_physics()
    {
        var layer = new PhysicalLayer("layer", Device().Spec, Device(), Batch, seed: 3) { ForwardOnly = true };
        var inputs = Inputs(layer.InputSize);
        await layer.ForwardAsync(inputs, Batch, new float[Batch * layer.OutputSize], PassKind.Device, training: true,
            TestContext.Current.CancellationToken);
        var outputGradient = Enumerable.Repeat(1f, Batch * layer.OutputSize).ToArray();
        var inputGradient = new float[inputs.Length];

        layer.Backward(inputs, Batch, outputGradient, inputGradient);

        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = await PenaltySlopeAsync(layer, inputs, i);
            Assert.True(Math.Abs(inputGradient[i] - expected) < 1e-4 + (0.02 * Math.Abs(expected)),
                $"input {i} = {inputs[i]}: gradient {inputGradient[i]:G4}, penalty slope {expected:G4}");
        }

        Assert.Contains(inputGradient, g => Math.Abs(g) > 1e-3);
    }

    [Theory]
    [InlineData("zo")]
    [InlineData("local")]
    public async Task The_mode_leaves_the_penalty_out_of_its_two_point_difference(string mode)
    {
        // A readout with zero weights makes the cross-entropy blind to the physics (for local: the last block's
        // objective, read out by that readout), so SPSA must estimate nothing for the last layer; θ0 near its
        // range's edge makes the penalty differ a lot between the ±c passes.
        var model = PnnArchitectures.TwoLayerLinearReadout(Device(), 12, Classes, Batch, seed: 7);
        Array.Clear(model.Modules[^1].Parameters[0].Value);
        var theta = model.PhysicalLayers[^1].Theta;
        Array.Clear(theta.Value);
        theta.Value[0] = 0.95f;
        var options = new TrainingOptions { PerturbationDirections = 1, PerturbationSize = 0.1 };
        IForwardOnlyTraining training = mode == "zo"
            ? new ZerothOrderTraining(model, options, seed: 5)
            : new PhysicalLocalLearning(model, options, seed: 5);

        await training.StepAsync(new float[Batch * 12], [0, 1, 2, 0], Batch, TestContext.Current.CancellationToken);

        Assert.True(theta.Gradient[0] > 1e-3, $"θ0 at the edge: gradient {theta.Gradient[0]:G4}");
        for (var p = 1; p < theta.Gradient.Length; p++)
        {
            Assert.True(Math.Abs(theta.Gradient[p]) < 1e-4, $"θ{p} mid-range: gradient {theta.Gradient[p]:G4}");
        }
    }

    private static SimulatedDevice Device() => new(DuffingSystem.OdePhysics, "penalty", Imperfections.None, 1);

    // Inputs inside, at and beyond the range's edges.
    private static float[] Inputs(int size)
    {
        ReadOnlySpan<float> values = [0f, 0.5f, -0.97f, 1.05f, -1.2f, 0.99f];
        var inputs = new float[Batch * size];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = values[i % values.Length];
        }

        return inputs;
    }

    private static async Task<double> PenaltySlopeAsync(PhysicalLayer layer, float[] inputs, int index)
    {
        const float step = 1e-3f;
        var shifted = (float[])inputs.Clone();
        var output = new float[Batch * layer.OutputSize];
        shifted[index] = inputs[index] + step;
        await layer.ForwardAsync(shifted, Batch, output, PassKind.Device, training: true,
            TestContext.Current.CancellationToken);
        var plus = layer.Penalty;
        shifted[index] = inputs[index] - step;
        await layer.ForwardAsync(shifted, Batch, output, PassKind.Device, training: true,
            TestContext.Current.CancellationToken);
        return (plus - layer.Penalty) / (2 * step);
    }
}
