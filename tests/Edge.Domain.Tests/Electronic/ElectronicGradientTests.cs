using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static Edge.Domain.Tests.Electronic.ElectronicTestKit;

namespace Edge.Domain.Tests.Electronic;

public sealed class ElectronicGradientTests
{
    [Property(MaxTest = 12)]
    public Property Vjp_matches_central_finite_differences_for_drive_and_every_coefficient(ulong seed)
    {
        // Amplitudes from a whisper (diodes off, nearly linear) to full scale (diodes hard on).
        var noise = new NoiseSource(seed);
        var amplitude = noise.NextUniform(0.05, 1.0);
        var drive = UniformDrive(seed ^ 0x5EED);
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] *= amplitude;
        }

        // A random part at twice the datasheet tolerances, so the check is not tied to the nominal values.
        var coefficients = Nominal();
        for (var i = 0; i < coefficients.Length; i++)
        {
            coefficients[i] *= 1 + (2 * ElectronicSystem.Coefficients[i].Tolerance * noise.NextGaussian());
        }

        var weights = new double[Layer.Spec.OutputSize];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = noise.NextGaussian();
        }

        var tape = new double[Layer.TapeLength];
        Layer.Forward(coefficients, drive, new double[weights.Length], tape);
        var driveGradient = new double[drive.Length];
        var coefficientGradient = new double[coefficients.Length];
        Layer.Backward(coefficients, drive, tape, weights, driveGradient, coefficientGradient);

        double Loss(double[] d, double[] c)
        {
            var y = Respond(c, d);
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                sum += weights[i] * y[i];
            }

            return sum;
        }

        var failures = new List<string>();
        var driveScale = MaxAbs(driveGradient);
        for (var i = 0; i < drive.Length; i++)
        {
            var numeric = CentralDifference(d => Loss(d, coefficients), drive, i, 1e-5);
            if (Math.Abs(numeric - driveGradient[i]) > 1e-5 * driveScale)
            {
                failures.Add($"drive[{i}]: adjoint {driveGradient[i]:G8}, numeric {numeric:G8}");
            }
        }

        // Logarithmic sensitivities c·∂L/∂c put kΩ, mH, nF and volts on one scale.
        var sensitivities = new double[coefficients.Length];
        for (var i = 0; i < coefficients.Length; i++)
        {
            sensitivities[i] = coefficientGradient[i] * coefficients[i];
        }

        var sensitivityScale = MaxAbs(sensitivities);
        for (var i = 0; i < coefficients.Length; i++)
        {
            var numeric = CentralDifference(c => Loss(drive, c), coefficients, i, 1e-6 * coefficients[i])
                * coefficients[i];
            if (Math.Abs(numeric - sensitivities[i]) > 1e-5 * sensitivityScale)
            {
                failures.Add($"{ElectronicSystem.Coefficients[i].Name}: adjoint {sensitivities[i]:G8}, numeric "
                    + $"{numeric:G8}");
            }
        }

        return (failures.Count == 0).Label($"amplitude {amplitude:F2}: {string.Join("; ", failures)}");
    }

    [Fact]
    public void Every_coefficient_has_a_nonzero_gradient_at_full_scale()
    {
        // A coefficient the VJP forgot would pass the finite-difference check only if the forward ignored it too.
        var drive = UniformDrive(11);
        var coefficients = Nominal();
        var tape = new double[Layer.TapeLength];
        Layer.Forward(coefficients, drive, new double[Layer.Spec.OutputSize], tape);
        var weights = new double[Layer.Spec.OutputSize];
        weights.AsSpan().Fill(1);
        var coefficientGradient = new double[coefficients.Length];
        Layer.Backward(coefficients, drive, tape, weights, new double[drive.Length], coefficientGradient);

        for (var i = 0; i < coefficients.Length; i++)
        {
            Assert.True(
                Math.Abs(coefficientGradient[i] * coefficients[i]) > 1e-3,
                $"{ElectronicSystem.Coefficients[i].Name} has sensitivity "
                    + $"{coefficientGradient[i] * coefficients[i]:G3}");
        }
    }

    private static double CentralDifference(Func<double[], double> loss, double[] point, int index, double step)
    {
        var plus = (double[])point.Clone();
        var minus = (double[])point.Clone();
        plus[index] += step;
        minus[index] -= step;
        return (loss(plus) - loss(minus)) / (2 * step);
    }
}
