using Edge.Domain.Simulation.Duffing;
using Edge.Domain.Specs;

namespace Edge.Domain.Tests.Specs;

public sealed class LayerSpecTests
{
    private static LayerSpec Valid => DuffingSystem.LayerSpec;

    [Fact]
    public void Json_round_trip_preserves_the_spec()
    {
        var json = Valid.ToJson();
        var back = LayerSpec.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(Valid.DriveLayout, back.DriveLayout);
        Assert.Equal(Valid.ParameterRanges, back.ParameterRanges);
        Assert.Contains("\"driveLayout\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Parameter\"", json, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<LayerSpec, LayerSpec>> BrokenSpecs => new()
    {
        { "name", s => s with { Name = " " } },
        { "inputSize", s => s with { InputSize = 0 } },
        { "parameterSize", s => s with { ParameterSize = -1 } },
        { "adc.bins", s => s with { Adc = s.Adc with { Bins = 11 } } },
        { "dac.min", s => s with { Dac = s.Dac with { Min = 2 } } },
        { "dac.bits", s => s with { Dac = s.Dac with { Bits = 0 } } },
        { "adc.sampleRateHz", s => s with { Adc = s.Adc with { SampleRateHz = 0 } } },
        { "dac.samplesPerSegment", s => s with { Dac = s.Dac with { SamplesPerSegment = 0 } } },
        { "inputRanges", s => s with { InputRanges = [.. s.InputRanges.Take(11)] } },
        { "parameterRanges[3]",
            s => s
                with { ParameterRanges =
                    [.. s.ParameterRanges.Select((r, i) => i == 3 ? new ValueRange(0.5, -0.5) : r)] } },
        { "parameterRanges[4]",
            s => s
                with { ParameterRanges =
                    [.. s.ParameterRanges.Select((r, i) => i == 4 ? new ValueRange(-2, 0) : r)] } },
        { "inputRanges[0]",
            s => s
                with { InputRanges =
                    [.. s.InputRanges.Select((r, i) => i == 0 ? new ValueRange(double.NaN, 0) : r)] } },
        { "driveLayout", s => s with { DriveLayout = [.. s.DriveLayout.Take(23)] } },
        { "driveLayout[1]",
            s => s
                with { DriveLayout =
                    [.. s.DriveLayout.Select((d, i) => i == 1 ? new DriveSlot(DriveSlotKind.Input, 0) : d)] } },
        { "driveLayout[23].index",
            s => s
                with { DriveLayout =
                    [.. s.DriveLayout.Select((d, i) => i == 23 ? new DriveSlot(DriveSlotKind.Parameter, 12) : d)] } },
    };

    [Theory]
    [MemberData(nameof(BrokenSpecs))]
    public void A_broken_spec_is_rejected_naming_the_field(string field, Func<LayerSpec, LayerSpec> breakIt)
    {
        var error = Assert.Throws<SpecValidationException>(() => breakIt(Valid).Validate());
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{", "$")]
    [InlineData("null", "$")]
    [InlineData("{\"name\":\"x\"}", "$")]
    public void Malformed_json_is_rejected_with_a_spec_error(string json, string field)
    {
        var error = Assert.Throws<SpecValidationException>(() => LayerSpec.FromJson(json));
        Assert.StartsWith(field, error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_json_fields_are_rejected()
    {
        var json = Valid.ToJson().Replace("\"name\":", "\"colour\": 1, \"name\":", StringComparison.Ordinal);
        Assert.Throws<SpecValidationException>(() => LayerSpec.FromJson(json));
    }

    [Fact]
    public void Frozen_range_clamps_to_its_single_value()
    {
        var frozen = new ValueRange(0.25, 0.25);
        Assert.True(frozen.IsFrozen);
        Assert.Equal(0.25, frozen.Clamp(-3));
        Assert.Equal(0.25, frozen.Clamp(3));
    }

    [Fact]
    public void AssembleDrive_follows_the_layout()
    {
        var spec = Valid with
        {
            InputSize = 2,
            ParameterSize = 1,
            OutputSize = 1,
            Adc = Valid.Adc with { Bins = 1 },
            InputRanges = [new(-1, 1), new(-1, 1)],
            ParameterRanges = [new(-1, 1)],
            DriveLayout = [new(DriveSlotKind.Parameter, 0), new(DriveSlotKind.Input, 1), new(DriveSlotKind.Input, 0)],
        };
        spec.Validate();
        var drive = new float[3];
        spec.AssembleDrive([0.1f, 0.2f], [0.9f], drive);
        Assert.Equal([0.9f, 0.2f, 0.1f], drive);
        Assert.Throws<ArgumentException>(() => spec.AssembleDrive([0.1f], [0.9f], drive));
    }

    [Theory]
    [InlineData(-5.0, -1.0)]
    [InlineData(5.0, 1.0)]
    [InlineData(double.NaN, -1.0)]
    [InlineData(0.0, 0.0002442002442002442)]
    public void Quantiser_clips_and_rounds_to_codes(double value, double expected)
    {
        Assert.Equal(expected, Quantiser.Quantise(value, -1, 1, 12), 12);
    }
}
