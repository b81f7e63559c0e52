using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Mechanical;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static Edge.Domain.Tests.Mechanical.MechanicalTestKit;

namespace Edge.Domain.Tests.Mechanical;

public sealed class MechanicalPhysicsTests
{
    private static readonly MechanicalSystem System = MechanicalSystem.Default;

    [Property(MaxTest = 8)]
    public Property Vjp_matches_central_finite_differences_for_drive_and_every_coefficient(ulong seed,
        NormalFloat amplitudeDraw)
    {
        // Amplitudes over the whole drive range, including full scale where the cubic stiffness is strong.
        var amplitude = 0.05 + (0.95 * Math.Abs(Math.Sin(amplitudeDraw.Get)));
        var physics = System.Physics;
        var drive = RandomDrive(physics.Spec.DriveLength, amplitude, seed);
        var coefficients = Nominal(physics);
        var spread = new NoiseSource(seed ^ 0xABCDEF);
        for (var i = 0; i < coefficients.Length; i++)
        {
            coefficients[i] *= 1 + (0.05 * spread.NextGaussian());
        }

        var weights = new double[physics.Spec.OutputSize];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = spread.NextGaussian();
        }

        var tape = new double[physics.TapeLength];
        physics.Forward(coefficients, drive, new double[weights.Length], tape);
        var driveGradient = new double[drive.Length];
        var coefficientGradient = new double[coefficients.Length];
        physics.Backward(coefficients, drive, tape, weights, driveGradient, coefficientGradient);

        double Loss(double[] d, double[] c)
        {
            var y = new double[weights.Length];
            physics.Forward(c, d, y, []);
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                sum += weights[i] * y[i];
            }

            return sum;
        }

        var failures = new List<string>();
        const double driveStep = 1e-5;
        var driveScale = MaxAbs(driveGradient);
        for (var i = 0; i < drive.Length; i++)
        {
            var numeric = CentralDifference(d => Loss(d, coefficients), drive, i, driveStep);
            if (Math.Abs(numeric - driveGradient[i]) > 1e-5 * driveScale)
            {
                failures.Add($"drive[{i}]: adjoint {driveGradient[i]:G8}, numeric {numeric:G8}");
            }
        }

        // Compare logarithmic sensitivities c·∂L/∂c so coefficients in Hz, mH and N/mm³ share one scale.
        var sensitivities = new double[coefficients.Length];
        for (var i = 0; i < coefficients.Length; i++)
        {
            sensitivities[i] = coefficientGradient[i] * coefficients[i];
        }

        var sensitivityScale = MaxAbs(sensitivities);
        for (var i = 0; i < coefficients.Length; i++)
        {
            var step = 1e-6 * Math.Abs(coefficients[i]);
            var numeric = CentralDifference(c => Loss(drive, c), coefficients, i, step) * coefficients[i];
            if (Math.Abs(numeric - sensitivities[i]) > 1e-5 * sensitivityScale)
            {
                failures.Add($"{physics.Coefficients[i].Name}: adjoint {sensitivities[i]:G8}, numeric {numeric:G8}");
            }
        }

        return (failures.Count == 0).Label(string.Join("; ", failures));
    }

    [Fact]
    public void Rk4_error_at_the_sample_instants_falls_at_fourth_order_when_the_step_is_halved()
    {
        // One output per integration step isolates the integrator from the bin average (a rectangle rule).
        var coefficients = Nominal(System.Physics);
        var drive = RandomDrive(System.Spec.DriveLength, 1.0, 11);
        var coarse = PerStepObservations(1, coefficients, drive);
        var half = PerStepObservations(2, coefficients, drive);
        var reference = PerStepObservations(16, coefficients, drive);
        double coarseError = 0, halfError = 0, scale = 0;
        for (var n = 0; n < coarse.Length; n++)
        {
            var exact = reference[(16 * n) + 15];
            coarseError += Math.Abs(coarse[n] - exact);
            halfError += Math.Abs(half[(2 * n) + 1] - exact);
            scale += Math.Abs(exact);
        }

        Assert.True(coarseError / scale < 0.02, $"default step error {coarseError / scale:P3}");
        Assert.True(coarseError / halfError > 10, $"halving the step only cut the error {coarseError / halfError:F1}×");
    }

    [Fact]
    public void Default_bins_stay_close_to_a_finely_integrated_reference()
    {
        var reference = MechanicalSystem.Create(MechanicalConfiguration.Default with { StepsPerSample = 16 });
        var coefficients = Nominal(System.Physics);
        var drive = RandomDrive(System.Spec.DriveLength, 1.0, 12);
        var exact = Run(reference, coefficients, drive);
        var error = L1Distance(Run(System, coefficients, drive), exact) / Sum(exact);
        Assert.True(error < 0.03, $"default bins differ by {error:P2} from the fine reference");
    }

    [Fact]
    public void Doubling_a_full_scale_drive_does_not_quadruple_the_power_because_of_cubic_stiffness()
    {
        var coefficients = Nominal(System.Physics);
        var full = RandomDrive(System.Spec.DriveLength, 1.0, 3);
        var halved = Scaled(full, 0.5);
        Assert.True(QuadraticMismatch(coefficients, full) > 0.1,
            $"full scale is nearly quadratic: {QuadraticMismatch(coefficients, full):P2}");

        // The same drive in the small-signal regime, and with the cubic term removed, is quadratic.
        Assert.True(QuadraticMismatch(coefficients, Scaled(full, 0.05)) < 0.01,
            $"small signal: {QuadraticMismatch(coefficients, Scaled(full, 0.05)):P2}");
        coefficients[SpeakerDrivenPlate.CubicStiffness] = 0;
        Assert.True(QuadraticMismatch(coefficients, full) < 1e-9,
            $"linear plate: {QuadraticMismatch(coefficients, full):G3}");
    }

    [Fact]
    public void Constant_drive_leaves_no_steady_microphone_power()
    {
        // One 200 ms segment: after the switch-on transient rings down, a held voltage makes no sound.
        var held = MechanicalSystem.Create(new MechanicalConfiguration { InputSegments = 1, ParameterSegments = 0,
            SamplesPerSegment = 9_600, Bins = 10 });
        var output = Run(held, Nominal(held.Physics), [1.0]);
        Assert.True(output[0] > 1e-3, $"switch-on transient {output[0]:G3} is missing");
        Assert.True(output[^1] < 1e-4 * output[0], $"steady power {output[^1]:G3} vs transient {output[0]:G3}");
    }

    [Fact]
    public void Band_pass_blocks_dc_and_passes_midband()
    {
        var coefficients = Nominal(System.Physics);
        Assert.True(FilteredPower(coefficients, frequencyHz: 0) < 1e-6, "DC reached the microphone output");
        Assert.Equal(0.5, FilteredPower(coefficients, frequencyHz: 632), 0.02);
        Assert.True(FilteredPower(coefficients, frequencyHz: 20) < 0.1, "20 Hz was not attenuated");
        Assert.True(FilteredPower(coefficients, frequencyHz: 20_000) < 0.1, "20 kHz was not attenuated");
    }

    [Fact]
    public void Full_scale_response_is_repeatable_not_chaotic()
    {
        // A 0.1 % shift of every plate mode moves the output no more at full scale than in the small-signal regime
        // (times a margin); a chaotic regime would amplify it by orders of magnitude.
        var coefficients = Nominal(System.Physics);
        var shifted = (double[])coefficients.Clone();
        for (var k = 0; k < SpeakerDrivenPlate.ModeCount; k++)
        {
            shifted[SpeakerDrivenPlate.ModeCoefficient(k, SpeakerDrivenPlate.Frequency)] *= 1.001;
        }

        double RelativeChange(double amplitude)
        {
            var drive = RandomDrive(System.Spec.DriveLength, amplitude, 5);
            var baseline = Run(System, coefficients, drive);
            return L1Distance(Run(System, shifted, drive), baseline) / Sum(baseline);
        }

        Assert.True(RelativeChange(1.0) < 3 * RelativeChange(0.05),
            $"full scale {RelativeChange(1.0):G3}, small signal {RelativeChange(0.05):G3}");
    }

    // Relative L1 distance between the bin powers of a drive and four times those of the halved drive.
    private static double QuadraticMismatch(double[] coefficients, double[] drive)
    {
        var power = Run(System, coefficients, drive);
        var halfPower = Run(System, coefficients, Scaled(drive, 0.5));
        for (var i = 0; i < halfPower.Length; i++)
        {
            halfPower[i] *= 4;
        }

        return L1Distance(power, halfPower) / Sum(power);
    }

    private static double[] PerStepObservations(int stepsPerSample, double[] coefficients, double[] drive)
    {
        var samplesPerSegment = System.Configuration.SamplesPerSegment;
        var steps = drive.Length * samplesPerSegment * stepsPerSample;
        var spec = System.Spec with { OutputSize = steps, Adc = System.Spec.Adc with { Bins = steps } };
        var physics = new OdeLayerPhysics<SpeakerDrivenPlate>(spec, default, MechanicalSystem.Coefficients,
            samplesPerSegment * stepsPerSample, 1000.0 / (48_000 * stepsPerSample));
        var output = new double[steps];
        physics.Forward(coefficients, drive, output, []);
        return output;
    }

    private static double[] Scaled(double[] drive, double factor)
    {
        var scaled = new double[drive.Length];
        for (var i = 0; i < drive.Length; i++)
        {
            scaled[i] = factor * drive[i];
        }

        return scaled;
    }

    // Integrates only the band-pass with the plate frozen at a radiating velocity that follows a unit-amplitude
    // pressure cos(2πft), and returns the mean of the observation over the last 100 ms.
    private static double FilteredPower(double[] coefficients, double frequencyHz)
    {
        var plate = default(SpeakerDrivenPlate);
        var state = new double[plate.StateSize];
        var derivative = new double[plate.StateSize];
        var radiatingVelocityIndex = 2;
        var perUnitPressure = 1.0
            / (coefficients[SpeakerDrivenPlate.MicSensitivity] * 1e-3
                * coefficients[SpeakerDrivenPlate.ModeCoefficient(0, SpeakerDrivenPlate.Radiation)]);
        const double dt = 1e-3;
        const int steps = 400_000;
        var power = 0.0;
        var averaged = 0;
        for (var n = 0; n < steps; n++)
        {
            state[radiatingVelocityIndex] = perUnitPressure
                * Math.Cos(SpeakerDrivenPlate.RadPerMsPerHz * frequencyHz * n * dt);
            plate.Derivative(coefficients, state, 0, derivative);
            state[SpeakerDrivenPlate.MicOutput - 1] += dt * derivative[SpeakerDrivenPlate.MicOutput - 1];
            state[SpeakerDrivenPlate.MicOutput] += dt * derivative[SpeakerDrivenPlate.MicOutput];
            if (n >= steps - 100_000)
            {
                power += plate.Observe(coefficients, state);
                averaged++;
            }
        }

        return power / averaged;
    }

    private static double CentralDifference(Func<double[], double> loss, double[] at, int index, double step)
    {
        var plus = (double[])at.Clone();
        var minus = (double[])at.Clone();
        plus[index] += step;
        minus[index] -= step;
        return (loss(plus) - loss(minus)) / (2 * step);
    }

    private static double MaxAbs(ReadOnlySpan<double> values)
    {
        var max = 0.0;
        foreach (var v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}
