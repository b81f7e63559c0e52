using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;

namespace Edge.Domain.Tests.Physics;

public sealed class DuffingPhysicsTests
{
    [Fact]
    public void Vjp_matches_central_finite_differences()
    {
        var physics = DuffingSystem.OdePhysics;
        var noise = new NoiseSource(7);
        var drive = new double[24];
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] = noise.NextUniform(-1, 1);
        }

        var coefficients = new[] { 1.07, 0.09, 0.55 };
        var weights = new double[12];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = noise.NextGaussian();
        }

        var tape = new double[physics.TapeLength];
        var output = new double[12];
        physics.Forward(coefficients, drive, output, tape);
        var driveGradient = new double[24];
        var coefficientGradient = new double[3];
        physics.Backward(coefficients, drive, tape, weights, driveGradient, coefficientGradient);

        double Loss(double[] d, double[] c)
        {
            var y = new double[12];
            physics.Forward(c, d, y, []);
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                sum += weights[i] * y[i];
            }

            return sum;
        }

        const double h = 1e-6;
        for (var i = 0; i < drive.Length; i++)
        {
            var plus = (double[])drive.Clone();
            var minus = (double[])drive.Clone();
            plus[i] += h;
            minus[i] -= h;
            var numeric = (Loss(plus, coefficients) - Loss(minus, coefficients)) / (2 * h);
            Assert.Equal(numeric, driveGradient[i], 1e-6);
        }

        for (var i = 0; i < coefficients.Length; i++)
        {
            var plus = (double[])coefficients.Clone();
            var minus = (double[])coefficients.Clone();
            plus[i] += h;
            minus[i] -= h;
            var numeric = (Loss(drive, plus) - Loss(drive, minus)) / (2 * h);
            Assert.Equal(numeric, coefficientGradient[i], 1e-5);
        }
    }
}
