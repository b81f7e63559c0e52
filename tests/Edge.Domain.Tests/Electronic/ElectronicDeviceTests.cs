using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;
using static Edge.Domain.Tests.Electronic.ElectronicTestKit;

namespace Edge.Domain.Tests.Electronic;

public sealed class ElectronicDeviceTests
{
    private const int Batch = 32;

    [Fact]
    public void Ideal_device_matches_the_nominal_physics()
    {
        var device = ElectronicSystem.Instance.CreateDevice("ideal", 1, Imperfections.None);
        var drives = RandomBatch(5);
        var responses = new float[Batch * 12];
        device.Forward(drives, responses);

        var nominal = Nominal();
        Assert.Equal(nominal, device.PartCoefficients);
        for (var d = 0; d < Batch; d++)
        {
            var drive = new double[24];
            for (var s = 0; s < drive.Length; s++)
            {
                drive[s] = drives[(d * 24) + s];
            }

            var expected = Respond(nominal, drive);
            var scale = RootMeanSquare(expected);
            for (var b = 0; b < expected.Length; b++)
            {
                Assert.True(
                    Math.Abs(responses[(d * 12) + b] - expected[b]) <= 1e-4 * scale,
                    $"drive {d} bin {b}: device {responses[(d * 12) + b]}, physics {expected[b]}");
            }
        }
    }

    [Fact]
    public void Same_device_and_seed_reproduce_every_response_and_another_seed_does_not()
    {
        var drives = RandomBatch(6);
        var first = Play(ElectronicSystem.Instance.CreateDevice("board-1", 42), drives, passes: 3);
        var again = Play(ElectronicSystem.Instance.CreateDevice("board-1", 42), drives, passes: 3);
        var otherSeed = Play(ElectronicSystem.Instance.CreateDevice("board-1", 43), drives, passes: 3);

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Device_id_fixes_the_part_and_different_ids_differ_by_the_tolerances()
    {
        Assert.Equal(
            ElectronicSystem.Instance.CreateDevice("board-7", 1).PartCoefficients,
            ElectronicSystem.Instance.CreateDevice("board-7", 99).PartCoefficients);
        Assert.NotEqual(
            ElectronicSystem.Instance.CreateDevice("board-7", 1).PartCoefficients,
            ElectronicSystem.Instance.CreateDevice("board-8", 1).PartCoefficients);

        // Over many boards every component scatters with its datasheet tolerance (±25 % on the spread estimate).
        const int boards = 400;
        var coefficients = ElectronicSystem.Coefficients;
        var sumSquares = new double[coefficients.Count];
        for (var k = 0; k < boards; k++)
        {
            var part = ElectronicSystem.Instance.CreateDevice($"board-{k}", 1).PartCoefficients;
            for (var i = 0; i < part.Count; i++)
            {
                var relative = (part[i] / coefficients[i].Nominal) - 1;
                sumSquares[i] += relative * relative;
            }
        }

        for (var i = 0; i < coefficients.Count; i++)
        {
            var spread = Math.Sqrt(sumSquares[i] / boards);
            Assert.InRange(spread, 0.75 * coefficients[i].Tolerance, 1.25 * coefficients[i].Tolerance);
        }
    }

    [Fact]
    public void Part_spread_moves_the_response_far_beyond_the_readout_noise()
    {
        // The datasheet twin must be visibly wrong for a real part: that gap is what PAT closes.
        var nominal = Nominal();
        var squares = 0.0;
        var count = 0;
        for (var k = 0; k < 20; k++)
        {
            var part = ElectronicSystem.Instance.CreateDevice($"board-{k}", 1).PartCoefficients.ToArray();
            var drive = UniformDrive((ulong)k);
            var expected = Respond(nominal, drive);
            var actual = Respond(part, drive);
            for (var b = 0; b < expected.Length; b++)
            {
                squares += (actual[b] - expected[b]) * (actual[b] - expected[b]);
                count++;
            }
        }

        Assert.True(Math.Sqrt(squares / count) > 2 * ElectronicImperfections.ReadoutNoiseVolts);
    }

    [Fact]
    public void Temperature_drift_moves_the_response_over_many_drives()
    {
        // Three times the default step so a short run (4 000 drives) wanders a few kelvin.
        var driftOnly = Imperfections.None with
        {
            DriftKelvinPerDrive = 3 * ElectronicImperfections.DriftKelvinPerDrive,
            DriftHalfLifeDrives = ElectronicImperfections.DriftHalfLifeDrives,
        };
        var drifting = ElectronicSystem.Instance.CreateDevice("board-1", 3, driftOnly);
        var steady = ElectronicSystem.Instance.CreateDevice("board-1", 3, Imperfections.None);
        var probe = ToFloats(UniformDrive(17));
        var filler = RandomBatch(18);

        var before = Probe(drifting, probe);
        var steadyBefore = Probe(steady, probe);
        var scratch = new float[Batch * 12];
        for (var k = 0; k < 125; k++)
        {
            drifting.Forward(filler, scratch);
            steady.Forward(filler, scratch);
        }

        var after = Probe(drifting, probe);
        Assert.True(Math.Abs(drifting.Temperature) > 1, $"temperature {drifting.Temperature} K");
        Assert.True(MaxAbsDifference(before, after) > 1e-3,
            $"moved {MaxAbsDifference(before, after)} V at {drifting.Temperature} K");
        Assert.Equal(steadyBefore, Probe(steady, probe));
    }

    [Fact]
    public void Dac_clips_drives_at_its_rails_and_rounds_them_to_its_codes()
    {
        var device = ElectronicSystem.Instance.CreateDevice("board-1", 1,
            Imperfections.None with { DacQuantisation = true, Saturation = true });
        var drive = ToFloats(UniformDrive(21));
        drive[3] = 1;
        drive[15] = -1;
        var overdriven = (float[])drive.Clone();
        overdriven[3] = 4.5f;
        overdriven[15] = -3f;
        Assert.Equal(Probe(device, drive), Probe(device, overdriven));

        // A tenth of a DAC step is below the converter's resolution: same codes, same response.
        var lsb = 2.0 / 4095;
        var nudged = (float[])drive.Clone();
        var quantised = new double[24];
        device.ConvertDrive(drive, quantised);
        for (var s = 0; s < nudged.Length; s++)
        {
            nudged[s] = (float)(quantised[s] + (0.1 * lsb));
        }

        Assert.Equal(Probe(device, drive), Probe(device, nudged));
    }

    [Fact]
    public void Adc_returns_only_its_codes_and_saturates_at_its_range()
    {
        var adc = ElectronicSystem.LayerSpec.Adc;
        var step = (adc.Max - adc.Min) / 4095;
        var device = ElectronicSystem.Instance.CreateDevice("board-1", 1);
        var responses = new float[Batch * 12];
        device.Forward(RandomBatch(31), responses);
        foreach (var y in responses)
        {
            var code = (y - adc.Min) / step;
            Assert.True(Math.Abs(code - Math.Round(code)) < 1e-3, $"{y} V is not an ADC code");
        }

        // A readout far beyond the range pins every reading to a rail.
        var swamped = ElectronicSystem.Instance.CreateDevice("board-1", 1,
            ElectronicImperfections.Default with { ReadoutNoise = 1e6 });
        swamped.Forward(RandomBatch(32), responses);
        var low = 0;
        foreach (var y in responses)
        {
            Assert.True(y == (float)adc.Min || y == (float)adc.Max, $"{y} V is not at a rail");
            low += y == (float)adc.Min ? 1 : 0;
        }

        Assert.InRange(low, 1, responses.Length - 1);
    }

    private static float[] RandomBatch(ulong seed)
    {
        var drives = new float[Batch * 24];
        for (var d = 0; d < Batch; d++)
        {
            ToFloats(UniformDrive(seed * 1000 + (ulong)d)).CopyTo(drives, d * 24);
        }

        return drives;
    }

    private static float[] Play(SimulatedDevice device, float[] drives, int passes)
    {
        var all = new float[passes * Batch * 12];
        for (var p = 0; p < passes; p++)
        {
            device.Forward(drives, all.AsSpan(p * Batch * 12, Batch * 12));
        }

        return all;
    }

    private static float[] Probe(SimulatedDevice device, float[] drive)
    {
        var response = new float[12];
        device.Forward(drive, response);
        return response;
    }
}
