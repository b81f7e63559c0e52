using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

namespace Edge.Domain.Tests.Simulation.Field;

public sealed class FieldEffectsTests
{
    private const string Part = "field-part-01";

    public static TheoryData<string, string> EffectsOfEachSystem => new()
    {
        { "electronic", nameof(FieldEffects.DacInlLsb) },
        { "electronic", nameof(FieldEffects.SlewPerSegment) },
        { "electronic", nameof(FieldEffects.AdcInlLsb) },
        { "electronic", nameof(FieldEffects.AdcDnlLsb) },
        { "mechanical", nameof(FieldEffects.DriveClipLevel) },
        { "mechanical", nameof(FieldEffects.SelfHeatingKelvin) },
        { "mechanical", nameof(FieldEffects.ExtraPlateModes) },
        { "mechanical", nameof(FieldEffects.ForceFactorDrop) },
        { "mechanical", nameof(FieldEffects.MicResonanceHz) },
        { "optical", nameof(FieldEffects.PixelCrosstalk) },
        { "optical", nameof(FieldEffects.DetectorSaturation) },
        { "optical", nameof(FieldEffects.FlickerGainRms) },
    };

    [Theory]
    [MemberData(nameof(EffectsOfEachSystem))]
    public void Each_effect_of_the_field_profile_moves_the_output_and_switching_it_off_removes_it(
        string systemName, string effect)
    {
        var system = PhysicalSystems.Get(systemName);
        var field = FieldProfiles.For(systemName);
        var without = Without(field, effect);
        Assert.NotEqual(field, without);

        // Noise-free parts, so any difference is the effect itself.
        var withEffect = Run(system, Imperfections.None with { Field = field }, seed: 3);
        var withoutEffect = Run(system, Imperfections.None with { Field = without }, seed: 3);
        var lab = Run(system, Imperfections.None, seed: 3);
        var scale = lab.Select(Math.Abs).Max();
        var moved = MaxDifference(withEffect, withoutEffect);
        Assert.True(moved > 1e-4 * scale, $"{systemName} {effect}: moved the output by only {moved} (scale {scale})");
        Assert.NotEqual(lab, withEffect);
    }

    [Theory]
    [InlineData("duffing")]
    [InlineData("electronic")]
    [InlineData("mechanical")]
    [InlineData("optical")]
    public void The_lab_profile_is_the_systems_default_part_and_field_adds_only_field_effects(string systemName)
    {
        var system = PhysicalSystems.Get(systemName);
        Assert.Equal(system.DefaultImperfections, FieldProfiles.Imperfections(system, DeviceProfile.Lab));
        var field = FieldProfiles.Imperfections(system, DeviceProfile.Field);
        Assert.Equal(system.DefaultImperfections, field with { Field = null });
        Assert.Equal(systemName != "duffing", field.Field!.Any);
    }

    [Theory]
    [InlineData("electronic")]
    [InlineData("mechanical")]
    [InlineData("optical")]
    public void A_field_part_is_deterministic_for_its_id_and_seed(string systemName)
    {
        var system = PhysicalSystems.Get(systemName);
        var imperfections = FieldProfiles.Imperfections(system, DeviceProfile.Field);
        Assert.Equal(Run(system, imperfections, seed: 5), Run(system, imperfections, seed: 5));
        Assert.NotEqual(Run(system, imperfections, seed: 5), Run(system, imperfections, seed: 6));
    }

    [Fact]
    public void Converter_non_linearity_belongs_to_the_part_id_not_to_the_seed()
    {
        var system = PhysicalSystems.Get("electronic");
        var noiseFree = Imperfections.None with { Field = FieldProfiles.Electronic };
        Assert.Equal(Run(system, noiseFree, seed: 5), Run(system, noiseFree, seed: 6));
        Assert.NotEqual(Run(system, noiseFree, seed: 5), Run(system, noiseFree, seed: 5, part: "field-part-02"));
    }

    [Fact]
    public void The_slew_limited_driver_delivers_the_mean_of_its_ramp()
    {
        // 1.2 DAC units per segment: 0 → 1 ramps for 5/6 of the segment (mean 1 − 1/2.4); 1 → −1 is cut off at
        // −0.2 (mean 0.4) and the rest of the way, 0.8, ramps in the next segment.
        Span<double> drive = [1, 1, -1, -1, -1];
        var chain = new FieldChain(
            new FieldEffects { SlewPerSegment = 1.2 }, PhysicalSystems.Get("electronic").Spec, Part, 1);
        chain.ShapeDrive(drive);
        Assert.Equal(1 - (1 / 2.4), drive[0], 12);
        Assert.Equal(1, drive[1], 12);
        Assert.Equal(1 - 0.6, drive[2], 12);
        Assert.Equal(-1 + (0.8 * 0.8 / 2.4), drive[3], 12);
        Assert.Equal(-1, drive[4], 12);
    }

    [Fact]
    public void The_esp32_adc_error_stays_within_its_datasheet_inl_and_dnl()
    {
        var spec = PhysicalSystems.Get("electronic").Spec;
        var chain = new FieldChain(FieldProfiles.Electronic, spec, Part, 1);
        var lsb = (spec.Adc.Max - spec.Adc.Min) / 4095;
        var worst = 0.0;
        for (var v = spec.Adc.Min; v <= spec.Adc.Max; v += lsb / 3)
        {
            worst = Math.Max(worst, Math.Abs(chain.AdcError(v)));
        }

        Assert.InRange(worst / lsb, 6, 12 + 3.5);
    }

    [Fact]
    public void The_spectrometer_reads_about_eight_percent_low_at_full_scale()
    {
        var spec = PhysicalSystems.Get("optical").Spec;
        var chain = new FieldChain(FieldProfiles.Optical, spec, Part, 1);
        Assert.Equal(0.92, chain.Detect(spec.Adc.Max) / spec.Adc.Max, 2);
        Assert.Equal(0.9931, chain.Detect(0.1) / 0.1, 3);
    }

    [Fact]
    public void A_voice_coil_driven_hard_heats_towards_its_equilibrium_and_cools_when_idle()
    {
        var system = PhysicalSystems.Get("mechanical");
        var device = system.CreateDevice(Part, 1, Imperfections.None with { Field = FieldProfiles.Mechanical });
        var full = Enumerable.Repeat(1f, 400 * system.Spec.DriveLength).ToArray();
        device.Forward(full, new float[400 * system.Spec.OutputSize]);
        // 400 drives = one time constant at mean square ≈ 0.9 after the clip: 40 K × 0.9 × (1 − 1/e) ≈ 23 K.
        Assert.InRange(device.SelfHeatingKelvin, 18, 28);
        var idle = new float[400 * system.Spec.DriveLength];
        device.Forward(idle, new float[400 * system.Spec.OutputSize]);
        Assert.InRange(device.SelfHeatingKelvin, 5, 11);
    }

    [Theory]
    [InlineData(nameof(FieldEffects.SlewPerSegment), -1.0)]
    [InlineData(nameof(FieldEffects.PixelCrosstalk), 0.3)]
    [InlineData(nameof(FieldEffects.FlickerGainRms), double.NaN)]
    [InlineData(nameof(FieldEffects.ExtraPlateModes), 9)]
    [InlineData(nameof(FieldEffects.ForceFactorDrop), 0.95)]
    [InlineData(nameof(FieldEffects.SampleJitterNs), -1.0)]
    public void Bad_field_values_are_refused_by_name(string effect, double value)
    {
        var bad = Set(FieldEffects.None, effect, value);
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => (Imperfections.None with { Field = bad }).Validate());
        Assert.Contains(effect, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_order_that_is_not_a_permutation_is_refused()
    {
        var bad = FieldProfiles.Optical with { ChannelSegments = [.. Enumerable.Repeat(0, 24)] };
        var error = Assert.Throws<ArgumentException>(
            () => PhysicalSystems.Get("optical").CreateDevice(Part, 1, Imperfections.None with { Field = bad }));
        Assert.Contains(nameof(FieldEffects.ChannelSegments), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_field_chain_allocates_nothing_per_drive()
    {
        var system = PhysicalSystems.Get("optical");
        var lab = system.CreateDevice(Part, 1);
        var field = FieldProfiles.CreateDevice(system, Part, 1, DeviceProfile.Field);
        var drives = new float[64 * system.Spec.DriveLength];
        var responses = new float[64 * system.Spec.OutputSize];
        Assert.Equal(Allocated(lab, drives, responses), Allocated(field, drives, responses));
    }

    private static long Allocated(SimulatedDevice device, float[] drives, float[] responses)
    {
        device.Forward(drives, responses);
        var before = GC.GetAllocatedBytesForCurrentThread();
        device.Forward(drives, responses);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static float[] Run(IPhysicalSystem system, Imperfections imperfections, ulong seed, string part = Part)
    {
        const int Drives = 64;
        var device = system.CreateDevice(part, seed, imperfections);
        var random = new NoiseSource(11);
        var drives = new float[Drives * system.Spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextUniform(-1, 1);
        }

        var responses = new float[Drives * system.Spec.OutputSize];
        device.Forward(drives, responses);
        return responses;
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - (double)y)).Max();

    private static FieldEffects Without(FieldEffects effects, string effect) => Set(effects, effect, 0);

    private static FieldEffects Set(FieldEffects effects, string effect, double value) => effect switch
    {
        nameof(FieldEffects.DacInlLsb) => effects with { DacInlLsb = value },
        nameof(FieldEffects.SlewPerSegment) => effects with { SlewPerSegment = value },
        nameof(FieldEffects.DriveClipLevel) => effects with { DriveClipLevel = value },
        nameof(FieldEffects.PixelCrosstalk) => effects with { PixelCrosstalk = value },
        nameof(FieldEffects.SelfHeatingKelvin) => effects with { SelfHeatingKelvin = value },
        nameof(FieldEffects.DetectorSaturation) => effects with { DetectorSaturation = value },
        nameof(FieldEffects.FlickerGainRms) => effects with { FlickerGainRms = value },
        nameof(FieldEffects.AdcInlLsb) => effects with { AdcInlLsb = value },
        nameof(FieldEffects.AdcDnlLsb) => effects with { AdcDnlLsb = value },
        nameof(FieldEffects.ExtraPlateModes) => effects with { ExtraPlateModes = (int)value },
        nameof(FieldEffects.ForceFactorDrop) => effects with { ForceFactorDrop = value },
        nameof(FieldEffects.CoilXmaxMm) => effects with { CoilXmaxMm = value },
        nameof(FieldEffects.MicResonanceHz) => effects with { MicResonanceHz = value },
        nameof(FieldEffects.MicResonanceQ) => effects with { MicResonanceQ = value },
        nameof(FieldEffects.SampleJitterNs) => effects with { SampleJitterNs = value },
        _ => throw new ArgumentException($"Unknown effect {effect}.", nameof(effect)),
    };
}
