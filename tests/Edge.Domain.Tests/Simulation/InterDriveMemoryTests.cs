using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Domain.Tests.Simulation;

public sealed class InterDriveMemoryTests
{
    private static readonly IStatefulPhysics Physics = (IStatefulPhysics)ElectronicSystem.Instance.Physics;

    private static float[] Drive(ulong seed)
    {
        var random = new NoiseSource(seed);
        var drive = new float[24];
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] = (float)random.NextUniform(-1, 1);
        }

        return drive;
    }

    private static float[] SecondResponse(double gapSeconds, float[] first, float[] second)
    {
        var device = new SimulatedDevice(Physics, "memory", Imperfections.None with { SettlingGapSeconds = gapSeconds },
            1);
        var responses = new float[24];
        device.Forward([.. first, .. second], responses);
        return responses[12..];
    }

    private static double Distance(float[] a, float[] b)
        => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (double)(x - y)).Sum());

    [Fact]
    public void With_a_short_gap_the_response_depends_on_the_previous_drive_and_less_so_as_the_gap_grows()
    {
        var (a, c, b) = (Drive(1), Drive(2), Drive(3));
        var shortGap = Distance(SecondResponse(20e-6, a, b), SecondResponse(20e-6, c, b));
        var longGap = Distance(SecondResponse(200e-6, a, b), SecondResponse(200e-6, c, b));
        var atRest = Distance(SecondResponse(double.PositiveInfinity, a, b),
            SecondResponse(double.PositiveInfinity, c, b));
        Assert.True(shortGap > 0.1, $"20 µs gap: previous drive moved the bins by only {shortGap} V");
        Assert.True(longGap < shortGap / 5, $"200 µs gap: {longGap} V vs {shortGap} V at 20 µs");
        Assert.Equal(0, atRest);
    }

    [Fact]
    public void An_infinite_gap_starts_every_drive_at_rest_like_the_differentiable_physics()
    {
        var device = new SimulatedDevice(Physics, "rest", Imperfections.None, 1);
        var drives = Drive(4).Concat(Drive(5)).ToArray();
        var responses = new float[24];
        device.Forward(drives, responses);
        var expected = new double[12];
        var coefficients = Physics.Coefficients.Select(c => c.Nominal).ToArray();
        Physics.Forward(coefficients, [.. drives[24..].Select(v => (double)v)], expected, []);
        for (var o = 0; o < 12; o++)
        {
            Assert.Equal(expected[o], responses[12 + o], 1e-5);
        }
    }

    [Fact]
    public void Relaxing_equals_playing_a_drive_of_zeros()
    {
        var coefficients = Physics.Coefficients.Select(c => c.Nominal).ToArray();
        var kicked = new double[Physics.StateSize];
        Physics.ForwardFrom(coefficients, [.. Drive(6).Select(v => (double)v)], new double[12], kicked);
        var relaxed = (double[])kicked.Clone();
        var played = (double[])kicked.Clone();
        Physics.Relax(coefficients, relaxed, 24 * ElectronicSystem.Instance.Spec.Dac.SegmentSeconds);
        Physics.ForwardFrom(coefficients, new double[24], new double[12], played);
        Assert.Equal(played, relaxed);
        Assert.NotEqual(0, kicked[1]);
    }

    [Fact]
    public void Carried_state_is_deterministic_for_a_seed()
    {
        var drives = Enumerable.Range(0, 8).SelectMany(i => Drive((ulong)i)).ToArray();
        var first = new float[8 * 12];
        var second = new float[8 * 12];
        ElectronicSystem.Instance.CreateDevice("det", 3).Forward(drives, first);
        ElectronicSystem.Instance.CreateDevice("det", 3).Forward(drives, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_negative_gap_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(()
            => new Imperfections { SettlingGapSeconds = -1 }.Validate());
        Assert.Contains("SettlingGapSeconds", error.Message, StringComparison.Ordinal);
    }
}
