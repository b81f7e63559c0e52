using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Trainer.Neural;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Tests.Training;

public sealed class ModelGradientTests
{
    [Fact]
    public async Task Backward_through_a_physics_twin_matches_finite_differences_of_the_loss()
    {
        // A 24-bit DAC so that finite differences are not swamped by quantisation steps.
        var spec = DuffingSystem.LayerSpec with { Dac = DuffingSystem.LayerSpec.Dac with { Bits = 24 } };
        var physics = new OdeLayerPhysics<DuffingOscillator>(spec, default, DuffingSystem.Coefficients, stepsPerSegment: 10, dt: 0.05);
        var device = new SimulatedDevice(physics, "grad-check", Imperfections.None, 1);
        var model = PnnArchitectures.TwoLayer(device, 12, 7, 8, seed: 3, readoutScale: 2f);
        var twin = new PhysicsTwin(physics, "nominal");
        foreach (var layer in model.PhysicalLayers)
        {
            layer.ForwardTwin = twin;
            layer.GradientTwin = twin;
        }

        var random = new NoiseSource(5);
        var inputs = new float[4 * 12];
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
            for (var i = 0; i < parameter.Value.Length; i += 5)
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
                Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + (0.02 * Math.Abs(numeric)), $"{parameter.Name}[{i}]: analytic {analytic}, numeric {numeric}");
            }
        }
    }
}
