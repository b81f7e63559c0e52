using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Mechanical;
using static Edge.Domain.Tests.Mechanical.MechanicalTestKit;

namespace Edge.Domain.Tests.Mechanical;

public sealed class MechanicalDeviceTests
{
    private static readonly MechanicalSystem System = MechanicalSystem.Default;

    [Fact]
    public void Default_spec_is_the_24_segment_audio_layer()
    {
        var spec = System.Spec;
        Assert.Equal("mechanical", System.Name);
        Assert.Equal((12, 12, 12, 24), (spec.InputSize, spec.ParameterSize, spec.OutputSize, spec.DriveLength));
        Assert.Equal((-1.0, 1.0, 16, 48_000.0), (spec.Dac.Min, spec.Dac.Max, spec.Dac.Bits, spec.Dac.SampleRateHz));
        Assert.Equal((16, 48_000.0, 12), (spec.Adc.Bits, spec.Adc.SampleRateHz, spec.Adc.Bins));
        Assert.Same(System, PhysicalSystems.Get("mechanical"));
    }

    [Fact]
    public void Default_imperfections_are_all_on()
    {
        var lab = System.DefaultImperfections;
        Assert.True(lab.PartSpread > 0 && lab.DriveNoise > 0 && lab.ReadoutNoise > 0);
        Assert.True(lab.DriftKelvinPerDrive > 0 && lab.DriftHalfLifeDrives > 0);
        Assert.True(lab.DacQuantisation && lab.AdcQuantisation && lab.Saturation);
    }

    [Fact]
    public void Ideal_device_with_nominal_part_equals_physics_forward()
    {
        var device = System.CreateDevice("plate-ideal", seed: 1, Imperfections.None);
        var drive = RandomDrive(System.Spec.DriveLength, 1.0, 21);
        var expected = Run(System, Nominal(System.Physics), drive);
        var response = new float[System.Spec.OutputSize];
        device.Forward(ToFloats(drive), response);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(response[i] - expected[i]) <= 1e-4 * Math.Abs(expected[i]),
                $"bin {i}: device {response[i]}, physics {expected[i]}");
        }
    }

    [Fact]
    public void Same_device_and_seed_repeat_exactly_and_another_seed_does_not()
    {
        var drives = BatchOfDrives(16, 31);
        var first = Play(System.CreateDevice("plate-7", seed: 5), drives);
        var again = Play(System.CreateDevice("plate-7", seed: 5), drives);
        var otherSeed = Play(System.CreateDevice("plate-7", seed: 6), drives);
        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Part_spread_follows_the_device_id_within_tolerance()
    {
        var a = System.CreateDevice("plate-a", seed: 1).PartCoefficients;
        var aAgain = System.CreateDevice("plate-a", seed: 99).PartCoefficients;
        var b = System.CreateDevice("plate-b", seed: 1).PartCoefficients;
        Assert.Equal(a, aAgain);
        var differing = 0;
        for (var i = 0; i < a.Count; i++)
        {
            var coefficient = System.Physics.Coefficients[i];
            Assert.True(Math.Abs((a[i] / coefficient.Nominal) - 1) <= 5 * coefficient.Tolerance,
                $"{coefficient.Name} = {a[i]} is outside 5σ");
            differing += a[i] != b[i] ? 1 : 0;
        }

        Assert.Equal(a.Count, differing);

        // Two parts answer the same drive differently by far more than the noise.
        var drives = BatchOfDrives(4, 41);
        var quiet = Imperfections.None with { PartSpread = 1 };
        var partA = Play(System.CreateDevice("plate-a", 1, quiet), drives);
        var partB = Play(System.CreateDevice("plate-b", 1, quiet), drives);
        var partDistance = L1(partA, partB) / L1(partA, new float[partA.Length]);
        Assert.True(partDistance > 0.02, $"parts differ by {partDistance:P2}");
    }

    [Fact]
    public void Outputs_depend_on_inputs_and_on_parameters()
    {
        var spec = System.Spec;
        var device = System.CreateDevice("plate-io", seed: 3);
        var inputs = RandomFloats(spec.InputSize, 51);
        var parameters = RandomFloats(spec.ParameterSize, 52);
        var baseline = Respond(device, inputs, parameters);
        var repeat = Respond(device, inputs, parameters);
        var noiseFloor = L1(baseline, repeat);
        var otherInputs = Respond(device, RandomFloats(spec.InputSize, 53), parameters);
        var otherParameters = Respond(device, inputs, RandomFloats(spec.ParameterSize, 54));
        Assert.True(L1(baseline, otherInputs) > 10 * noiseFloor,
            $"inputs moved the output {L1(baseline, otherInputs):G3}, noise {noiseFloor:G3}");
        Assert.True(L1(baseline, otherParameters) > 10 * noiseFloor,
            $"parameters moved the output {L1(baseline, otherParameters):G3}, noise {noiseFloor:G3}");
    }

    [Fact]
    public void Configuration_builds_a_whole_audio_waveform_layer()
    {
        var waveform = MechanicalSystem.Create(new MechanicalConfiguration { InputSegments = 400, ParameterSegments =
            80, SamplesPerSegment = 1, Bins = 12 });
        Assert.Equal(480, waveform.Spec.DriveLength);
        Assert.Equal(1.0 / 48_000, waveform.Spec.Dac.SegmentSeconds, 1e-12);
        var drive = new double[480];
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] = 0.5 * Math.Sin(2 * Math.PI * 745.0 * i / 48_000);
        }

        var output = Run(waveform, Nominal(waveform.Physics), drive);
        Assert.True(output[^1] > output[0], "a tone at the second mode should build up over the waveform");
        Assert.Throws<ArgumentException>(() => MechanicalSystem.Create(new MechanicalConfiguration { Bins = 7 }));
    }

    private static float[] ToFloats(double[] values)
    {
        var floats = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            floats[i] = (float)values[i];
        }

        return floats;
    }

    private static float[] RandomFloats(int length, ulong seed) => ToFloats(RandomDrive(length, 1.0, seed));

    private static float[] BatchOfDrives(int count, ulong seed) => RandomFloats(count * System.Spec.DriveLength, seed);

    private static float[] Play(SimulatedDevice device, float[] drives)
    {
        var responses = new float[drives.Length / device.Spec.DriveLength * device.Spec.OutputSize];
        device.Forward(drives, responses);
        return responses;
    }

    private static float[] Respond(SimulatedDevice device, float[] inputs, float[] parameters)
    {
        var drive = new float[device.Spec.DriveLength];
        device.Spec.AssembleDrive(inputs, parameters, drive);
        return Play(device, drive);
    }

    private static double L1(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return sum;
    }
}
