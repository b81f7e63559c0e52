using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;
using Edge.Domain.Specs;
using static Edge.Domain.Tests.Electronic.ElectronicTestKit;

namespace Edge.Domain.Tests.Electronic;

public sealed class ElectronicResponseTests
{
    [Fact]
    public void Spec_is_the_designed_layer_and_the_system_is_registered()
    {
        var spec = ElectronicSystem.LayerSpec;
        Assert.Equal((12, 12, 12, 24), (spec.InputSize, spec.ParameterSize, spec.OutputSize, spec.DriveLength));
        Assert.Equal(DriveSlot.InputsThenParameters(12, 12), spec.DriveLayout);
        Assert.Equal(new DacSpec(-1, 1, 12, 1e6, 4), spec.Dac);
        Assert.Equal(new AdcSpec(-4, 4, 12, 1e6, 12), spec.Adc);
        Assert.All(spec.InputRanges, r => Assert.Equal(new ValueRange(-1, 1), r));
        Assert.All(spec.ParameterRanges, r => Assert.Equal(new ValueRange(-1, 1), r));
        Assert.Same(ElectronicSystem.Instance, PhysicalSystems.Get("electronic"));

        var defaults = ElectronicSystem.Instance.CreateDevice("board-1", 1).Imperfections;
        Assert.True(defaults
            is { PartSpread: 1, DriveNoise: > 0, ReadoutNoise: > 0, DriftKelvinPerDrive: > 0,
                DriftHalfLifeDrives: > 0 });
        Assert.True(defaults is { DacQuantisation: true, AdcQuantisation: true, Saturation: true });
    }

    [Fact]
    public void Different_inputs_give_clearly_different_bin_patterns()
    {
        var parameters = Slice(UniformDrive(1), 12, 12);
        var responses = new List<double[]>();
        for (var k = 0; k < 40; k++)
        {
            responses.Add(Respond(Nominal(), Assemble(Slice(UniformDrive(100 + (ulong)k), 0, 12), parameters)));
        }

        // Every pair of inputs must be told apart far above the readout noise.
        var closest = double.MaxValue;
        for (var a = 0; a < responses.Count; a++)
        {
            for (var b = a + 1; b < responses.Count; b++)
            {
                closest = Math.Min(closest, Distance(responses[a], responses[b]));
            }
        }

        Assert.True(closest > 5 * ElectronicImperfections.ReadoutNoiseVolts, $"closest pair {closest:F4} V rms apart");
    }

    [Fact]
    public void Parameters_change_the_bins_they_can_reach()
    {
        var inputs = Slice(UniformDrive(2), 0, 12);
        var reference = Respond(Nominal(), Assemble(inputs, Slice(UniformDrive(3), 12, 12)));
        for (var k = 0; k < 20; k++)
        {
            var other = Respond(Nominal(), Assemble(inputs, Slice(UniformDrive(200 + (ulong)k), 12, 12)));

            // The circuit is causal: the first half of the bins has heard only the inputs.
            Assert.Equal(reference[..6], other[..6]);
            Assert.True(Distance(reference[6..], other[6..]) > 5 * ElectronicImperfections.ReadoutNoiseVolts);
        }
    }

    [Fact]
    public void Response_is_strongly_nonlinear_and_the_diodes_conduct_for_much_of_the_drive_range()
    {
        var samples = SampleResolved(ElectronicSystem.SamplesPerSegment);
        var nominal = Nominal();
        double residual = 0, norm = 0;
        int conducting = 0, total = 0;
        for (var k = 0; k < 50; k++)
        {
            var drive = UniformDrive(300 + (ulong)k);
            var full = Respond(nominal, drive);
            var small = new double[drive.Length];
            for (var s = 0; s < drive.Length; s++)
            {
                small[s] = drive[s] / 20;
            }

            // A linear circuit would scale exactly: y(u) = 20·y(u/20).
            var scaled = Respond(nominal, small);
            for (var b = 0; b < full.Length; b++)
            {
                residual += (full[b] - (20 * scaled[b])) * (full[b] - (20 * scaled[b]));
                norm += full[b] * full[b];
            }

            var voltages = new double[samples.Spec.OutputSize];
            samples.Forward(nominal, drive, voltages, []);
            foreach (var v in voltages)
            {
                conducting += Math.Abs(DiodeClampedRlc.DiodeCurrent(nominal, v)) > 0.5 ? 1 : 0;
                total++;
            }
        }

        Assert.True(Math.Sqrt(residual / norm) > 0.3, $"nonlinearity {Math.Sqrt(residual / norm):F3}");
        Assert.InRange(conducting / (double)total, 0.3, 0.8);
    }

    [Fact]
    public void Response_is_repeatable_a_tiny_drive_change_makes_a_tiny_output_change()
    {
        // A chaotic layer would amplify a microvolt into a visible change; this passive circuit contracts.
        var nominal = Nominal();
        for (var k = 0; k < 20; k++)
        {
            var drive = UniformDrive(400 + (ulong)k);
            var perturbed = (double[])drive.Clone();
            var noise = new NoiseSource(500 + (ulong)k);
            for (var s = 0; s < drive.Length; s++)
            {
                perturbed[s] += 1e-6 * noise.NextGaussian();
            }

            Assert.True(Distance(Respond(nominal, drive), Respond(nominal, perturbed)) < 1e-5);
        }
    }

    [Fact]
    public void Halving_the_rk4_step_changes_samples_and_bins_by_less_than_a_thousandth()
    {
        var step = SampleResolved(ElectronicSystem.SamplesPerSegment);
        var half = SampleResolved(2 * ElectronicSystem.SamplesPerSegment);
        var nominal = Nominal();
        var drives = new List<double[]>();
        for (var k = 0; k < 40; k++)
        {
            drives.Add(UniformDrive(600 + (ulong)k));
        }

        drives.Add(ResonantSquareWave());
        foreach (var drive in drives)
        {
            var coarse = new double[step.Spec.OutputSize];
            var fine = new double[half.Spec.OutputSize];
            step.Forward(nominal, drive, coarse, []);
            half.Forward(nominal, drive, fine, []);

            // Compare at the ADC's sampling instants: every second sample of the half-step run.
            var sampleError = 0.0;
            var fineBins = new double[12];
            for (var k = 0; k < coarse.Length; k++)
            {
                sampleError = Math.Max(sampleError, Math.Abs(coarse[k] - fine[(2 * k) + 1]));
                fineBins[k / 8] += fine[(2 * k) + 1] / 8;
            }

            var bins = Respond(nominal, drive);
            var binError = 0.0;
            for (var b = 0; b < bins.Length; b++)
            {
                binError = Math.Max(binError, Math.Abs(bins[b] - fineBins[b]));
            }

            Assert.True(sampleError < 1e-3 * MaxAbs(coarse),
                $"sample error {sampleError:E2} of swing {MaxAbs(coarse):F3}");
            Assert.True(binError < 1e-3 * MaxAbs(bins), $"bin error {binError:E2} of swing {MaxAbs(bins):F3}");
        }
    }

    [Fact]
    public void Adc_range_holds_the_worst_case_swing_with_headroom()
    {
        var samples = SampleResolved(ElectronicSystem.SamplesPerSegment);
        var part = Nominal();

        // Worst plausible part: driver gain three standard deviations high.
        part[DiodeClampedRlc.DriveGain] *= 1 + (3 * ElectronicSystem.Coefficients[DiodeClampedRlc.DriveGain].Tolerance);
        var voltages = new double[samples.Spec.OutputSize];
        samples.Forward(part, ResonantSquareWave(), voltages, []);
        var adc = ElectronicSystem.LayerSpec.Adc;
        Assert.InRange(MaxAbs(voltages), 0.6 * adc.Max, 0.9 * adc.Max);
    }

    // ±1 V flipped every 5 segments (20 µs): a square wave at the 25 kHz resonance, the largest swing the DAC can make.
    private static double[] ResonantSquareWave()
    {
        var drive = new double[24];
        for (var s = 0; s < drive.Length; s++)
        {
            drive[s] = s / 5 % 2 == 0 ? 1 : -1;
        }

        return drive;
    }

    private static double[] Slice(double[] values, int start, int length) => values.AsSpan(start, length).ToArray();

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var difference = new double[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            difference[i] = a[i] - b[i];
        }

        return RootMeanSquare(difference);
    }
}
