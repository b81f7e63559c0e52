using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;
using Edge.Domain.Simulation.Mechanical;

namespace Edge.Domain.Tests.Simulation.Field;

public sealed class FieldPlateTests
{
    private const string Part = "field-plate-01";
    private static readonly MechanicalSystem Plate = MechanicalSystem.Default;

    [Fact]
    public void Sample_clock_jitter_moves_the_bins_by_about_the_signals_slope_times_the_jitter()
    {
        var jittered = FieldEffects.None with { SampleJitterNs = FieldProfiles.Mechanical.SampleJitterNs };
        var exact = Run(Imperfections.None, seed: 3);
        var withJitter = Run(Imperfections.None with { Field = jittered }, seed: 3);
        var otherSeed = Run(Imperfections.None with { Field = jittered }, seed: 4);

        // 1.8 ns on a signal whose power bins hold up to a few kHz: a relative error of order 2·2π·3 kHz·1.8 ns / √96
        // ≈ 7e-6 per bin; far below the 1e-3 readout noise, but there, and drawn from the seed.
        var scale = exact.Select(Math.Abs).Max();
        var moved = MaxDifference(exact, withJitter);
        Assert.InRange(moved / scale, 1e-8, 1e-4);
        Assert.NotEqual(withJitter, otherSeed);
        Assert.Equal(withJitter, Run(Imperfections.None with { Field = jittered }, seed: 3));
    }

    [Fact]
    public void The_force_factor_falls_to_82_percent_at_xmax_and_is_whole_at_rest()
    {
        var plate = FieldPlate.ForPart(FieldProfiles.Mechanical, Part);
        Assert.Equal(1, plate.ForceFactorRatio(0), 12);
        var xmax = FieldProfiles.Mechanical.CoilXmaxMm;

        // The part's coil offset makes Bl(x) asymmetric; the mean of ±Xmax is the symmetric 82 %.
        var mean = (plate.ForceFactorRatio(xmax) + plate.ForceFactorRatio(-xmax)) / 2;
        Assert.Equal(0.82, mean, 6);
        Assert.NotEqual(plate.ForceFactorRatio(xmax), plate.ForceFactorRatio(-xmax));
    }

    [Fact]
    public void Extra_modes_and_the_coil_offset_belong_to_the_part_id()
    {
        var field = Imperfections.None with { Field = FieldEffects.None with { ExtraPlateModes = 3 } };
        Assert.Equal(Run(field, seed: 1), Run(field, seed: 2));
        Assert.NotEqual(Run(field, seed: 1), Run(field, seed: 1, part: "field-plate-02"));
        Assert.Equal(3, FieldPlate.ForPart(FieldProfiles.Mechanical, Part).ExtraModes);
    }

    [Fact]
    public void A_field_plate_that_rings_from_drive_to_drive_carries_its_own_state()
    {
        var ringing = FieldProfiles.Imperfections(Plate, DeviceProfile.Field) with { SettlingGapSeconds = 1e-3 };
        var first = Run(ringing, seed: 1);
        Assert.Equal(first, Run(ringing, seed: 1));
        Assert.NotEqual(first, Run(ringing with { SettlingGapSeconds = double.PositiveInfinity }, seed: 1));
    }

    [Fact]
    public void A_field_plate_allocates_nothing_per_drive()
    {
        var device = FieldProfiles.CreateDevice(Plate, Part, 1, DeviceProfile.Field);
        Assert.Equal(Allocated(device, 4), Allocated(device, 16));
    }

    [Fact]
    public void Bl_without_an_xmax_is_refused_by_name()
    {
        var bad = FieldEffects.None with { ForceFactorDrop = 0.18 };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FieldPlate.ForPart(bad, Part));
        Assert.Contains(nameof(FieldEffects.CoilXmaxMm), error.Message, StringComparison.Ordinal);
    }

    private static long Allocated(SimulatedDevice device, int drives)
    {
        var input = new float[drives * Plate.Spec.DriveLength];
        var output = new float[drives * Plate.Spec.OutputSize];
        device.Forward(input, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        device.Forward(input, output);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static float[] Run(Imperfections imperfections, ulong seed, string part = Part)
    {
        const int Drives = 16;
        var device = Plate.CreateDevice(part, seed, imperfections);
        var random = new NoiseSource(11);
        var drives = new float[Drives * Plate.Spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextUniform(-1, 1);
        }

        var responses = new float[Drives * Plate.Spec.OutputSize];
        device.Forward(drives, responses);
        return responses;
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - (double)y)).Max();
}
