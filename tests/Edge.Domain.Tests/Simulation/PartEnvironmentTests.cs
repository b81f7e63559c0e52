using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Domain.Tests.Simulation;

public sealed class PartEnvironmentTests
{
    private static float[] Drives(SimulatedDevice device, int count)
    {
        var random = new NoiseSource(7);
        var spec = device.Spec;
        var drives = new float[count * spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            var range = spec.SegmentRange(i % spec.DriveLength);
            drives[i] = (float)random.NextUniform(range.Lo, range.Hi);
        }

        return drives;
    }

    private static float[] Play(SimulatedDevice device, float[] drives)
    {
        var responses = new float[drives.Length / device.Spec.DriveLength * device.Spec.OutputSize];
        device.Forward(drives, responses);
        return responses;
    }

    private static SimulatedDevice Exact(string id) =>
        new(ElectronicSystem.Instance.Physics, id, Imperfections.None with { PartSpread = 1 }, 1);

    [Fact]
    public void The_calibrated_environment_changes_nothing()
    {
        var device = Exact("calm");
        var drives = Drives(device, 8);
        var before = Play(device, drives);
        device.Environment = PartEnvironment.Calibrated;
        Assert.Equal(before, Play(device, drives));
        Assert.Equal("as calibrated", device.Environment.ToString());
    }

    [Fact]
    public void Ageing_moves_every_component_the_same_way_every_time_and_back_when_cleared()
    {
        var a = Exact("aged");
        var b = Exact("aged");
        a.Environment = new PartEnvironment { Ageing = 0.05 };
        b.Environment = new PartEnvironment { Ageing = 0.05 };
        var aged = new double[a.PartCoefficients.Count];
        var again = new double[aged.Length];
        a.CurrentCoefficients(aged);
        b.CurrentCoefficients(again);
        Assert.Equal(aged, again);
        Assert.All(Enumerable.Range(0, aged.Length), i => Assert.NotEqual(a.PartCoefficients[i], aged[i]));

        a.Environment = PartEnvironment.Calibrated;
        a.CurrentCoefficients(aged);
        Assert.Equal(a.PartCoefficients, aged);
    }

    [Fact]
    public void A_swapped_part_answers_like_a_part_built_with_that_id()
    {
        var swapped = Exact("sim-0001");
        var other = Exact("sim-0099");
        swapped.Environment = new PartEnvironment { PartId = "sim-0099" };
        var drives = Drives(swapped, 8);
        Assert.Equal(Play(other, drives), Play(swapped, drives));
        Assert.Equal("sim-0001", swapped.DeviceId);
    }

    [Fact]
    public void Readout_gain_scales_the_clean_response()
    {
        var device = Exact("gain");
        var drives = Drives(device, 4);
        var unit = Play(device, drives);
        device.Environment = new PartEnvironment { Gain = 1.5 };
        var gained = Play(device, drives);
        Assert.All(Enumerable.Range(0, unit.Length), i => Assert.Equal(unit[i] * 1.5, gained[i], 4));
    }

    [Fact]
    public void A_shorter_settling_gap_leaves_the_previous_drive_ringing_into_the_next()
    {
        var device = new SimulatedDevice(ElectronicSystem.Instance.Physics, "ring", Imperfections.None, 1);
        var drives = Drives(device, 6);
        var rested = Play(device, drives);
        device.Environment = new PartEnvironment { SettlingGapSeconds = 0 };
        Assert.NotEqual(rested, Play(device, drives));
        device.Environment = PartEnvironment.Calibrated;
        Assert.Equal(rested, Play(device, drives));
    }

    [Theory]
    [InlineData(nameof(PartEnvironment.AmbientKelvin))]
    [InlineData(nameof(PartEnvironment.Ageing))]
    [InlineData(nameof(PartEnvironment.Gain))]
    [InlineData(nameof(PartEnvironment.SettlingGapSeconds))]
    [InlineData(nameof(PartEnvironment.PartId))]
    public void A_bad_value_is_refused_by_name_and_the_part_keeps_its_environment(string name)
    {
        var device = Exact("strict");
        var kept = new PartEnvironment { AmbientKelvin = 10 };
        device.Environment = kept;
        var bad = name switch
        {
            nameof(PartEnvironment.AmbientKelvin) => kept with { AmbientKelvin = double.NaN },
            nameof(PartEnvironment.Ageing) => kept with { Ageing = 0.9 },
            nameof(PartEnvironment.Gain) => kept with { Gain = 0 },
            nameof(PartEnvironment.SettlingGapSeconds) => kept with { SettlingGapSeconds = -1 },
            _ => kept with { PartId = "" },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => device.Environment = bad);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Same(kept, device.Environment);
    }
}
