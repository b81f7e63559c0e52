using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Trainer.Neural;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Tests.Training;

public sealed class ModelGradientTests
{
    // A 24-bit DAC so that finite differences are not swamped by quantisation steps.
    private static readonly OdeLayerPhysics<DuffingOscillator> Physics = new(
        DuffingSystem.LayerSpec with { Dac = DuffingSystem.LayerSpec.Dac with { Bits = 24 } }, default,
            DuffingSystem.Coefficients, stepsPerSegment: 10, dt: 0.05);

    [Fact]
    public async Task Backward_through_a_physics_twin_matches_finite_differences_of_the_loss()
    {
        var device = new SimulatedDevice(Physics, "grad-check", Imperfections.None, 1);
        await AssertGradientsMatchFiniteDifferences(PnnArchitectures.TwoLayer(device, 12, 7, 8, seed: 3,
            readoutScale: 2f), 12, stride: 5);
    }

    [Fact]
    public async Task Wide_hybrid_branches_back_propagate_their_own_slices()
    {
        var device = new SimulatedDevice(Physics, "grad-check", Imperfections.None, 1);
        var model = PnnArchitectures.WideHybrid(device, 10, 7, width: 3, layers: 2, 8, seed: 3);

        Assert.Equal(6, model.PhysicalLayers.Count);
        Assert.Equal(3 * 12, model.Modules[1].OutputSize);
        await AssertGradientsMatchFiniteDifferences(model, 10, stride: 17);
    }

    [Fact]
    public async Task A_single_bank_wide_hybrid_reads_out_its_only_bank()
    {
        var device = new SimulatedDevice(Physics, "grad-check", Imperfections.None, 1);
        var model = PnnArchitectures.WideHybrid(device, 10, 7, width: 2, layers: 1, 8, seed: 3);

        Assert.Equal(2, model.PhysicalLayers.Count);
        Assert.Equal(3, model.Modules.Count);
        Assert.Equal(2 * 12, model.Modules[^1].InputSize);
        await AssertGradientsMatchFiniteDifferences(model, 10, stride: 11);
    }

    private static async Task AssertGradientsMatchFiniteDifferences(PnnModel model, int features, int stride)
    {
        var twin = new PhysicsTwin(Physics, "nominal");
        foreach (var layer in model.PhysicalLayers)
        {
            layer.ForwardTwin = twin;
            layer.GradientTwin = twin;
        }

        var random = new NoiseSource(5);
        var inputs = new float[4 * features];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)random.NextUniform(0.3, 0.9);
        }

        int[] labels = [0, 3, 6, 2];
        var gradient = new float[4 * 7];

        async Task<double> Loss()
        {
            var logits = await model.ForwardAsync(inputs, 4, PassKind.Twin, training: true);
            return Losses.SoftmaxCrossEntropy(logits.AsSpan(0, 28), labels, 7, gradient) + model.Penalty;
        }

        foreach (var p in model.Parameters)
        {
            p.ZeroGradient();
        }

        await Loss();
        model.Backward(gradient, 4);
        foreach (var parameter in model.Parameters)
        {
            for (var i = 0; i < parameter.Value.Length; i += stride)
            {
                var analytic = parameter.Gradient[i];
                var original = parameter.Value[i];
                const float h = 1e-3f;
                parameter.Value[i] = original + h;
                var plus = await Loss();
                parameter.Value[i] = original - h;
                var minus = await Loss();
                parameter.Value[i] = original;
                var numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + (0.02 * Math.Abs(numeric)),
                    $"{parameter.Name}[{i}]: analytic {analytic}, numeric {numeric}");
            }
        }
    }
}
