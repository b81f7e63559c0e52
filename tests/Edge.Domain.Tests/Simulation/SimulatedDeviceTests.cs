using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Domain.Tests.Simulation;

public sealed class SimulatedDeviceTests
{
    private static float[] RandomDrives(int count, ulong seed)
    {
        var random = new NoiseSource(seed);
        var drives = new float[count * 24];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextUniform(-1, 1);
        }

        return drives;
    }

    private static float[] RandomDrives(SimulatedDevice device, int count, ulong seed)
    {
        var random = new NoiseSource(seed);
        var spec = device.Spec;
        var drives = new float[count * spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            var range = spec.SegmentRange(i % spec.DriveLength);
            drives[i] = (float)random.NextUniform(range.Lo, range.Hi);
        }

        return drives;
    }

    [Fact]
    public void Same_seed_gives_identical_measurements_and_fresh_noise_every_pass()
    {
        var drives = RandomDrives(16, 1);
        var a = DuffingSystem.Instance.CreateDevice("part-a", 42);
        var b = DuffingSystem.Instance.CreateDevice("part-a", 42);
        var first = new float[16 * 12];
        var second = new float[16 * 12];
        a.Forward(drives, first);
        b.Forward(drives, second);
        Assert.Equal(first, second);
        a.Forward(drives, second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Noise_free_device_equals_the_differentiable_physics()
    {
        var device = new SimulatedDevice(DuffingSystem.OdePhysics, "exact", Imperfections.None, 1,
            DuffingSystem.ProtocolPart);
        var drives = RandomDrives(8, 2);
        var measured = new float[8 * 12];
        device.Forward(drives, measured);
        var output = new double[12];
        for (var d = 0; d < 8; d++)
        {
            DuffingSystem.OdePhysics.Forward([.. DuffingSystem.ProtocolPart],
                [.. drives.AsSpan(d * 24, 24).ToArray().Select(v => (double)v)], output, []);
            for (var o = 0; o < 12; o++)
            {
                Assert.Equal(output[o], measured[(d * 12) + o], Math.Max(1e-6, Math.Abs(output[o]) * 1e-4));
            }
        }
    }

    [Fact]
    public void Readout_noise_has_the_configured_spread()
    {
        var device = DuffingSystem.Instance.CreateDevice("noise", 3,
            DuffingSystem.ProtocolImperfections with { AdcQuantisation = false });
        var drives = RandomDrives(1, 3);
        var repeated = new float[2000 * 24];
        for (var r = 0; r < 2000; r++)
        {
            drives.CopyTo(repeated.AsSpan(r * 24));
        }

        var responses = new float[2000 * 12];
        device.Forward(repeated, responses);
        var mean = responses.Where((_, i) => i % 12 == 5).Average();
        var std = Math.Sqrt(responses.Where((_, i) => i % 12 == 5).Average(v => (v - mean) * (v - mean)));
        Assert.InRange(std, 0.018, 0.022);
    }

    [Fact]
    public void Drive_beyond_the_rails_is_clipped_like_the_rail()
    {
        var device = new SimulatedDevice(DuffingSystem.OdePhysics, "rails",
            Imperfections.None with { Saturation = true }, 1, DuffingSystem.ProtocolPart);
        var inside = new float[24];
        var beyond = new float[24];
        Array.Fill(inside, 1f);
        Array.Fill(beyond, 7f);
        var a = new float[12];
        var b = new float[12];
        device.Forward(inside, a);
        device.Forward(beyond, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Adc_quantisation_puts_readings_on_codes()
    {
        var device = DuffingSystem.Instance.CreateDevice("adc", 4);
        var responses = new float[4 * 12];
        device.Forward(RandomDrives(4, 4), responses);
        var step = 8.0 / 4095;
        Assert.All(responses, r => Assert.Equal(0, Math.Abs(((r + 4) / step) - Math.Round((r + 4) / step)), 3));
    }

    [Fact]
    public void Part_spread_and_drift_move_the_coefficients()
    {
        var system = DuffingSystem.Instance;
        var drifting = new SimulatedDevice(system.Physics, "drift", new Imperfections { DriftKelvinPerDrive = 0.5 }, 9);
        Assert.Equal(system.Physics.Coefficients.Select(c => c.Nominal), drifting.PartCoefficients);
        drifting.Forward(RandomDrives(100, 5), new float[100 * 12]);
        Assert.NotEqual(0, drifting.Temperature);
        Assert.Equal(100, drifting.DrivesPlayed);
    }

    [Fact]
    public void An_ambient_shift_moves_the_coefficients_by_their_temperature_coefficients_and_changes_the_response()
    {
        var system = ElectronicSystem.Instance;
        var device = new SimulatedDevice(system.Physics, "warm", Imperfections.None, 3);
        var drives = RandomDrives(device, 16, 4);
        var cool = new float[16 * device.Spec.OutputSize];
        device.Forward(drives, cool);

        device.AmbientShiftKelvin = 25;
        var coefficients = new double[system.Physics.Coefficients.Count];
        device.CurrentCoefficients(coefficients);
        var warm = new float[cool.Length];
        device.Forward(drives, warm);

        Assert.Equal(25, device.Temperature);
        for (var i = 0; i < coefficients.Length; i++)
        {
            var c = system.Physics.Coefficients[i];
            Assert.Equal(c.Nominal * (1 + (25 * c.TemperatureCoefficient)), coefficients[i], 12);
        }

        Assert.NotEqual(cool, warm);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.AmbientShiftKelvin = double.NaN);
        Assert.Equal(25, device.AmbientShiftKelvin);
    }

    [Fact]
    public void Bad_batch_shapes_are_rejected_with_a_clear_message()
    {
        var device = DuffingSystem.Instance.CreateDevice("shape", 1);
        var error = Assert.Throws<ArgumentException>(() => device.Forward(new float[25], new float[12]));
        Assert.Contains("not a whole number of 24-segment drives", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => device.Forward(new float[48], new float[12]));
        Assert.Contains("need room for 24 response values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_imperfections_are_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(()
            => DuffingSystem.Instance.CreateDevice("bad", 1, new Imperfections { ReadoutNoise = -1 }));
        Assert.Contains("ReadoutNoise", error.Message, StringComparison.Ordinal);
    }
}
