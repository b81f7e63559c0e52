using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Mechanical;

namespace Edge.Domain.Tests.Mechanical;

internal static class MechanicalTestKit
{
    public static double[] Nominal(IDifferentiablePhysics physics)
    {
        var values = new double[physics.Coefficients.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = physics.Coefficients[i].Nominal;
        }

        return values;
    }

    public static double[] RandomDrive(int length, double amplitude, ulong seed)
    {
        var noise = new NoiseSource(seed);
        var drive = new double[length];
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] = amplitude * noise.NextUniform(-1, 1);
        }

        return drive;
    }

    public static double[] Run(MechanicalSystem system, double[] coefficients, double[] drive)
    {
        var output = new double[system.Spec.OutputSize];
        system.Physics.Forward(coefficients, drive, output, []);
        return output;
    }

    public static double Sum(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    public static double L1Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return sum;
    }
}
