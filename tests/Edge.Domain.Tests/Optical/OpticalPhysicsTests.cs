using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Optical;
using FsCheck.Xunit;

namespace Edge.Domain.Tests.Optical;

public sealed class OpticalPhysicsTests
{
    private static readonly ShapedPulseShg Physics = OpticalSystem.ShgPhysics;

    [Property(MaxTest = 30)]
    public void Vjp_matches_central_finite_differences_for_drive_and_coefficients(ulong seed)
    {
        var noise = new NoiseSource(seed);
        var drive = RandomDrive(noise, 0.98);
        var coefficients = new double[OpticalSystem.Coefficients.Count];
        for (var i = 0; i < coefficients.Length; i++)
        {
            // Off-nominal parts too: the gray-box twin differentiates at learned values.
            var c = OpticalSystem.Coefficients[i];
            coefficients[i] = c.Nominal * (1 + (3 * c.Tolerance * noise.NextGaussian()));
        }

        var weights = new double[OpticalLayout.Bins];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = noise.NextGaussian();
        }

        var tape = new double[Physics.TapeLength];
        var output = new double[OpticalLayout.Bins];
        Physics.Forward(coefficients, drive, output, tape);
        var driveGradient = new double[drive.Length];
        var coefficientGradient = new double[coefficients.Length];
        Physics.Backward(coefficients, drive, tape, weights, driveGradient, coefficientGradient);

        for (var i = 0; i < drive.Length; i++)
        {
            var numeric = CentralDifference(drive, i, 1e-6, d => Loss(coefficients, d, weights));
            AssertClose(numeric, driveGradient[i], $"drive[{i}]");
        }

        for (var i = 0; i < coefficients.Length; i++)
        {
            var step = 1e-6 * Math.Abs(coefficients[i]);
            var numeric = CentralDifference(coefficients, i, step, c => Loss(c, drive, weights));

            // Scale by the coefficient so a THz-sized value and an fs²-sized one are held to the same relative
            // standard.
            AssertClose(numeric * coefficients[i], coefficientGradient[i] * coefficients[i],
                OpticalSystem.Coefficients[i].Name);
        }
    }

    [Property(MaxTest = 50)]
    public void Output_is_non_negative_and_below_the_open_shaper_reading(ulong seed)
    {
        var output = Forward(RandomDrive(new NoiseSource(seed), 1.0));
        foreach (var value in output)
        {
            Assert.InRange(value, 0.0, 1.0);
        }
    }

    [Fact]
    public void Open_shaper_on_the_datasheet_part_reads_one_in_the_brightest_bin()
    {
        var open = new double[OpticalLayout.Channels];
        Array.Fill(open, 1.0);
        var output = Forward(open);
        Assert.Equal(1.0, output.Max(), 12);
        Assert.All(output, v => Assert.True(v > 0.1, $"every bin should see the open spectrum, got {v}"));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.45)]
    public void Power_scales_as_the_fourth_power_of_a_uniform_field_amplitude(double amplitude)
    {
        var single = Forward(UniformAmplitude(amplitude));
        var doubled = Forward(UniformAmplitude(2 * amplitude));
        for (var b = 0; b < single.Length; b++)
        {
            Assert.Equal(16.0, doubled[b] / single[b], 9);
        }
    }

    [Fact]
    public void Slm_transmission_is_open_at_plus_one_and_dark_at_minus_one()
    {
        var (openRe, openIm) = SlmTransmission.Transmission(1);
        var (darkRe, darkIm) = SlmTransmission.Transmission(-1);
        Assert.Equal(1.0, openRe, 12);
        Assert.Equal(0.0, openIm, 12);
        Assert.Equal(0.0, Math.Sqrt((darkRe * darkRe) + (darkIm * darkIm)), 12);
        var (halfRe, halfIm) = SlmTransmission.Transmission(SlmTransmission.DriveForAmplitude(0.5));
        Assert.Equal(0.5, Math.Sqrt((halfRe * halfRe) + (halfIm * halfIm)), 12);
    }

    [Fact]
    public void Every_drive_segment_reaches_the_spectrometer()
    {
        var noise = new NoiseSource(11);
        var drive = RandomDrive(noise, 0.5);
        var baseline = Forward(drive);
        for (var s = 0; s < drive.Length; s++)
        {
            var moved = (double[])drive.Clone();
            moved[s] += 0.3;
            var output = Forward(moved);
            var change = 0.0;
            for (var b = 0; b < output.Length; b++)
            {
                change = Math.Max(change, Math.Abs(output[b] - baseline[b]));
            }

            Assert.True(change > 1e-3, $"segment {s} moved the reading by only {change}");
        }
    }

    [Fact]
    public void Mirrored_drive_does_not_give_the_mirrored_spectrum()
    {
        // The SLM couples phase to amplitude and the phase matching is off-centre on real parts, so the layer is
        // not a symmetric function of the drive; check the physics on the datasheet part too.
        var drive = RandomDrive(new NoiseSource(5), 0.9);
        var mirrored = new double[drive.Length];
        for (var channel = 0; channel < OpticalLayout.Channels; channel++)
        {
            mirrored[OpticalLayout.SegmentOfChannel(OpticalLayout.Channels - 1 - channel)] =
                drive[OpticalLayout.SegmentOfChannel(channel)];
        }

        var output = Forward(drive);
        var mirroredOutput = Forward(mirrored);
        var difference = 0.0;
        for (var b = 0; b < output.Length; b++)
        {
            difference = Math.Max(difference, Math.Abs(output[b] - mirroredOutput[output.Length - 1 - b]));
        }

        Assert.True(difference > 1e-3, $"mirrored drive gave the mirrored spectrum (max difference {difference})");
    }

    [Fact]
    public void Forward_with_and_without_a_tape_agree()
    {
        var drive = RandomDrive(new NoiseSource(3), 1.0);
        var withTape = new double[OpticalLayout.Bins];
        Physics.Forward(Nominal(), drive, withTape, new double[Physics.TapeLength]);
        Assert.Equal(Forward(drive), withTape);
    }

    internal static double[] Nominal() => [.. OpticalSystem.Coefficients.Select(c => c.Nominal)];

    internal static double[] RandomDrive(NoiseSource noise, double limit)
    {
        var drive = new double[OpticalLayout.Channels];
        for (var i = 0; i < drive.Length; i++)
        {
            drive[i] = noise.NextUniform(-limit, limit);
        }

        return drive;
    }

    internal static double[] UniformAmplitude(double amplitude)
    {
        var drive = new double[OpticalLayout.Channels];
        Array.Fill(drive, SlmTransmission.DriveForAmplitude(amplitude));
        return drive;
    }

    private static double[] Forward(double[] drive)
    {
        var output = new double[OpticalLayout.Bins];
        Physics.Forward(Nominal(), drive, output, []);
        return output;
    }

    private static double Loss(double[] coefficients, double[] drive, double[] weights)
    {
        var output = new double[OpticalLayout.Bins];
        Physics.Forward(coefficients, drive, output, []);
        var sum = 0.0;
        for (var i = 0; i < output.Length; i++)
        {
            sum += weights[i] * output[i];
        }

        return sum;
    }

    private static double CentralDifference(double[] at, int index, double step, Func<double[], double> loss)
    {
        var plus = (double[])at.Clone();
        var minus = (double[])at.Clone();
        plus[index] += step;
        minus[index] -= step;
        return (loss(plus) - loss(minus)) / (2 * step);
    }

    private static void AssertClose(double numeric, double analytic, string what)
    {
        var tolerance = 1e-6 + (1e-5 * Math.Abs(numeric));
        Assert.True(Math.Abs(numeric - analytic) <= tolerance, $"{what}: finite difference {numeric}, VJP {analytic}");
    }
}
