using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Optical;

namespace Edge.Domain.Tests.Optical;

public sealed class OpticalDeviceTests
{
    private const int Drives = 64;

    [Fact]
    public void System_is_registered_as_optical()
        => Assert.Same(OpticalSystem.Instance, PhysicalSystems.Get("optical"));

    [Fact]
    public void Ideal_device_with_nominal_part_equals_physics_forward()
    {
        var device = OpticalSystem.Instance.CreateDevice("opt-ideal", 1, Imperfections.None);
        var drives = RandomDrives(new NoiseSource(21), Drives, 1.0);
        var responses = new float[Drives * OpticalLayout.Bins];
        device.Forward(drives, responses);

        var nominal = OpticalPhysicsTests.Nominal();
        Assert.Equal(nominal, device.PartCoefficients);
        var drive = new double[OpticalLayout.Channels];
        var expected = new double[OpticalLayout.Bins];
        for (var d = 0; d < Drives; d++)
        {
            for (var s = 0; s < drive.Length; s++)
            {
                drive[s] = drives[(d * drive.Length) + s];
            }

            OpticalSystem.ShgPhysics.Forward(nominal, drive, expected, []);
            for (var b = 0; b < expected.Length; b++)
            {
                var actual = responses[(d * OpticalLayout.Bins) + b];
                Assert.True(Math.Abs(actual - expected[b]) <= 1e-4 * Math.Abs(expected[b]),
                    $"drive {d} bin {b}: device {actual}, physics {expected[b]}");
            }
        }
    }

    [Fact]
    public void Same_device_id_and_seed_replay_exactly_and_another_seed_does_not()
    {
        var drives = RandomDrives(new NoiseSource(4), Drives, 1.0);
        var first = Play(OpticalSystem.Instance.CreateDevice("opt-a", 9), drives);
        var again = Play(OpticalSystem.Instance.CreateDevice("opt-a", 9), drives);
        var otherSeed = Play(OpticalSystem.Instance.CreateDevice("opt-a", 10), drives);
        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Part_spread_is_fixed_per_device_id_and_scaled_by_the_tolerances()
    {
        var a = OpticalSystem.Instance.CreateDevice("opt-a", 1);
        var aLater = OpticalSystem.Instance.CreateDevice("opt-a", 2);
        var b = OpticalSystem.Instance.CreateDevice("opt-b", 1);
        Assert.Equal(a.PartCoefficients, aLater.PartCoefficients);
        Assert.NotEqual(a.PartCoefficients, b.PartCoefficients);
        for (var i = 0; i < OpticalSystem.Coefficients.Count; i++)
        {
            var c = OpticalSystem.Coefficients[i];
            foreach (var part in new[] { a, b })
            {
                var relative = (part.PartCoefficients[i] / c.Nominal) - 1;
                Assert.True(Math.Abs(relative) <= 5 * c.Tolerance,
                    $"{c.Name} moved {relative:P3} for a {c.Tolerance:P3} tolerance");
            }
        }

        // The spread changes what the spectrometer reads, not just the bookkeeping.
        var quietA = OpticalSystem.Instance.CreateDevice("opt-a", 1, Imperfections.None with { PartSpread = 1 });
        var quietB = OpticalSystem.Instance.CreateDevice("opt-b", 1, Imperfections.None with { PartSpread = 1 });
        var drives = RandomDrives(new NoiseSource(8), 4, 1.0);
        var readA = Play(quietA, drives);
        var readB = Play(quietB, drives);
        var largest = 0.0;
        for (var i = 0; i < readA.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(readA[i] - readB[i]));
        }

        Assert.True(largest > 1e-3, $"two parts read within {largest} of each other");
    }

    [Fact]
    public void Outputs_depend_on_inputs_and_on_parameters()
    {
        var device = OpticalSystem.Instance.CreateDevice("opt-dep", 1, Imperfections.None);
        var spec = OpticalSystem.LayerSpec;
        var inputs = new float[spec.InputSize];
        var parameters = new float[spec.ParameterSize];
        var noise = new NoiseSource(12);
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)noise.NextUniform(-0.5, 0.5);
            parameters[i] = (float)noise.NextUniform(-0.5, 0.5);
        }

        var baseline = PlayLayer(device, inputs, parameters);
        var otherInputs = (float[])inputs.Clone();
        otherInputs[3] += 0.4f;
        var otherParameters = (float[])parameters.Clone();
        otherParameters[7] -= 0.4f;
        Assert.True(MaxDifference(baseline, PlayLayer(device, otherInputs, parameters)) > 1e-3);
        Assert.True(MaxDifference(baseline, PlayLayer(device, inputs, otherParameters)) > 1e-3);
    }

    [Fact]
    public void Default_imperfections_are_all_on()
    {
        var imperfections = OpticalSystem.Instance.DefaultImperfections;
        Assert.Equal(1.0, imperfections.PartSpread);
        Assert.True(imperfections.DriveNoise > 0);
        Assert.True(imperfections.ReadoutNoise > 0);
        Assert.True(imperfections.DriftKelvinPerDrive > 0);
        Assert.True(imperfections.DacQuantisation && imperfections.AdcQuantisation && imperfections.Saturation);

        var device = OpticalSystem.Instance.CreateDevice("opt-noisy", 3);
        var drive = RandomDrives(new NoiseSource(2), 1, 0.8);
        var first = Play(device, drive);
        var second = Play(device, drive);
        Assert.NotEqual(first, second);
        Assert.NotEqual(0.0, device.Temperature);
    }

    [Fact]
    public void Readings_stay_inside_the_spectrometer_range_even_for_out_of_range_drives()
    {
        var device = OpticalSystem.Instance.CreateDevice("opt-range", 5);
        var drives = RandomDrives(new NoiseSource(6), Drives, 3.0);
        foreach (var value in Play(device, drives))
        {
            Assert.InRange(value, (float)OpticalSystem.LayerSpec.Adc.Min, (float)OpticalSystem.LayerSpec.Adc.Max);
        }
    }

    [Fact]
    public void Doubling_a_uniform_amplitude_multiplies_the_read_power_by_sixteen_through_the_converters()
    {
        // Converters on (DAC and ADC codes, clipping), no noise: the 4th-power law survives quantisation to ≈ 1 %.
        var device = OpticalSystem.Instance.CreateDevice("opt-shg", 1,
            Imperfections.None with { DacQuantisation = true, AdcQuantisation = true, Saturation = true });
        var single = Play(device, ToFloat(OpticalPhysicsTests.UniformAmplitude(0.45))).Sum();
        var doubled = Play(device, ToFloat(OpticalPhysicsTests.UniformAmplitude(0.9))).Sum();
        Assert.InRange(doubled / single, 16 * 0.98, 16 * 1.02);
    }

    private static float[] Play(SimulatedDevice device, float[] drives)
    {
        var responses = new float[drives.Length / OpticalLayout.Channels * OpticalLayout.Bins];
        device.Forward(drives, responses);
        return responses;
    }

    private static float[] PlayLayer(SimulatedDevice device, float[] inputs, float[] parameters)
    {
        var drive = new float[OpticalSystem.LayerSpec.DriveLength];
        OpticalSystem.LayerSpec.AssembleDrive(inputs, parameters, drive);
        return Play(device, drive);
    }

    private static float[] RandomDrives(NoiseSource noise, int count, double limit)
    {
        var drives = new float[count * OpticalLayout.Channels];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)noise.NextUniform(-limit, limit);
        }

        return drives;
    }

    private static float[] ToFloat(double[] values) => [.. values.Select(v => (float)v)];

    private static double MaxDifference(float[] a, float[] b)
    {
        var largest = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(a[i] - b[i]));
        }

        return largest;
    }
}
