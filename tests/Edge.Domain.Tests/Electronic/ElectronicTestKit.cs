using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Domain.Tests.Electronic;

/// <summary>Drives, coefficient vectors and sample-resolved physics shared by the electronic tests.</summary>
internal static class ElectronicTestKit
{
    public static IDifferentiablePhysics Layer => ElectronicSystem.OdePhysics;

    public static double[] Nominal()
    {
        var values = new double[ElectronicSystem.Coefficients.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ElectronicSystem.Coefficients[i].Nominal;
        }

        return values;
    }

    public static double[] UniformDrive(ulong seed)
    {
        var noise = new NoiseSource(seed);
        var drive = new double[ElectronicSystem.LayerSpec.DriveLength];
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] = noise.NextUniform(-1, 1);
        }

        return drive;
    }

    public static double[] Respond(ReadOnlySpan<double> coefficients, double[] drive)
    {
        var output = new double[ElectronicSystem.LayerSpec.OutputSize];
        Layer.Forward(coefficients, drive, output, []);
        return output;
    }

    /// <summary>The same circuit with one output per RK4 step, so individual ADC samples can be compared.</summary>
    public static OdeLayerPhysics<DiodeClampedRlc> SampleResolved(int stepsPerSegment)
    {
        var spec = ElectronicSystem.LayerSpec;
        var samples = spec.DriveLength * stepsPerSegment;
        var resolved = spec with { OutputSize = samples, Adc = spec.Adc with { Bins = samples } };
        return new OdeLayerPhysics<DiodeClampedRlc>(
            resolved,
            default,
            ElectronicSystem.Coefficients,
            stepsPerSegment,
            ElectronicSystem.TimeStepMicroseconds * ElectronicSystem.SamplesPerSegment / stepsPerSegment);
    }

    public static float[] ToFloats(double[] values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }

    public static double MaxAbs(ReadOnlySpan<double> values)
    {
        var max = 0.0;
        foreach (var v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    public static double RootMeanSquare(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v * v;
        }

        return Math.Sqrt(sum / values.Length);
    }

    /// <summary>Assembles a drive from layer inputs and parameters following the spec's layout.</summary>
    public static double[] Assemble(double[] inputs, double[] parameters)
    {
        var drive = new float[ElectronicSystem.LayerSpec.DriveLength];
        ElectronicSystem.LayerSpec.AssembleDrive(ToFloats(inputs), ToFloats(parameters), drive);
        var result = new double[drive.Length];
        for (var i = 0; i < drive.Length; i++)
        {
            result[i] = drive[i];
        }

        return result;
    }
}
