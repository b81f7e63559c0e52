using System.Text.Json;

namespace Edge.Domain.Specs;

/// <summary>
/// Everything the host and the edge must agree on about one physical layer: sizes, how inputs and parameters are
/// laid out in the drive waveform, the converters, and the range every drive value may take.
/// </summary>
public sealed record LayerSpec
{
    /// <summary>Human-readable name, e.g. <c>duffing</c> or <c>electronic-rlc</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Number of data values per example.</summary>
    public required int InputSize { get; init; }

    /// <summary>Number of trainable physical parameters.</summary>
    public required int ParameterSize { get; init; }

    /// <summary>Number of measured output values (ADC bins).</summary>
    public required int OutputSize { get; init; }

    /// <summary>The drive waveform, segment by segment.</summary>
    public required IReadOnlyList<DriveSlot> DriveLayout { get; init; }

    /// <summary>The converter that plays the drive.</summary>
    public required DacSpec Dac { get; init; }

    /// <summary>The converter that reads the response.</summary>
    public required AdcSpec Adc { get; init; }

    /// <summary>Allowed range of each input value (in DAC units).</summary>
    public required IReadOnlyList<ValueRange> InputRanges { get; init; }

    /// <summary>Allowed range of each parameter value (in DAC units).</summary>
    public required IReadOnlyList<ValueRange> ParameterRanges { get; init; }

    /// <summary>Number of segments in one drive.</summary>
    public int DriveLength => DriveLayout.Count;

    /// <summary>Places <paramref name="inputs"/> and <paramref name="parameters"/> into <paramref name="drive"/>
    /// following <see cref="DriveLayout"/>.</summary>
    public void AssembleDrive(ReadOnlySpan<float> inputs, ReadOnlySpan<float> parameters, Span<float> drive)
    {
        if (inputs.Length != InputSize || parameters.Length != ParameterSize || drive.Length != DriveLength)
        {
            throw new ArgumentException(
                $"Layer '{Name}' expects {InputSize} inputs, {ParameterSize} parameters and a drive of {DriveLength}; "
                    + $"got {inputs.Length}, {parameters.Length} and {drive.Length}.");
        }

        for (var s = 0; s < drive.Length; s++)
        {
            var slot = DriveLayout[s];
            drive[s] = slot.Kind == DriveSlotKind.Input ? inputs[slot.Index] : parameters[slot.Index];
        }
    }

    /// <summary>Range of the value played in drive segment <paramref name="segment"/>.</summary>
    public ValueRange SegmentRange(int segment)
    {
        var slot = DriveLayout[segment];
        return slot.Kind == DriveSlotKind.Input ? InputRanges[slot.Index] : ParameterRanges[slot.Index];
    }

    /// <summary>Checks every rule and throws a <see cref="SpecValidationException"/> naming the first broken
    /// field.</summary>
    public LayerSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new SpecValidationException("name", "must not be empty.");
        }

        Positive("inputSize", InputSize);
        Positive("outputSize", OutputSize);
        if (ParameterSize < 0)
        {
            throw new SpecValidationException("parameterSize", $"must be zero or more, was {ParameterSize}.");
        }

        ValidateConverter("dac", Dac?.Min, Dac?.Max, Dac?.Bits, Dac?.SampleRateHz);
        Positive("dac.samplesPerSegment", Dac!.SamplesPerSegment);
        ValidateConverter("adc", Adc?.Min, Adc?.Max, Adc?.Bits, Adc?.SampleRateHz);
        if (Adc!.Bins != OutputSize)
        {
            throw new SpecValidationException("adc.bins", $"must equal outputSize ({OutputSize}), was {Adc.Bins}.");
        }

        ValidateRanges("inputRanges", InputRanges, InputSize);
        ValidateRanges("parameterRanges", ParameterRanges, ParameterSize);
        ValidateLayout();
        return this;
    }

    /// <summary>Serialises the spec to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, DomainJsonContext.Default.LayerSpec);

    /// <summary>Parses and validates a spec; malformed JSON and broken rules both raise <see
    /// cref="SpecValidationException"/>.</summary>
    public static LayerSpec FromJson(string json)
    {
        LayerSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize(json, DomainJsonContext.Default.LayerSpec);
        }
        catch (JsonException e)
        {
            throw new SpecValidationException(e.Path ?? "$", $"could not be read: {e.Message}");
        }

        return (spec ?? throw new SpecValidationException("$", "is null.")).Validate();
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0)
        {
            throw new SpecValidationException(field, $"must be positive, was {value}.");
        }
    }

    private static void ValidateConverter(string field, double? min, double? max, int? bits, double? rate)
    {
        if (min is null || max is null || bits is null || rate is null)
        {
            throw new SpecValidationException(field, "is missing.");
        }

        if (!double.IsFinite(min.Value) || !double.IsFinite(max.Value) || min >= max)
        {
            throw new SpecValidationException($"{field}.min",
                $"must be finite and below {field}.max, was [{min}, {max}].");
        }

        if (bits is < 1 or > 24)
        {
            throw new SpecValidationException($"{field}.bits", $"must be between 1 and 24, was {bits}.");
        }

        if (!(rate > 0) || !double.IsFinite(rate.Value))
        {
            throw new SpecValidationException($"{field}.sampleRateHz", $"must be positive, was {rate}.");
        }
    }

    private void ValidateRanges(string field, IReadOnlyList<ValueRange>? ranges, int expected)
    {
        if (ranges is null || ranges.Count != expected)
        {
            throw new SpecValidationException(field, $"must have {expected} entries, had {ranges?.Count ?? 0}.");
        }

        for (var i = 0; i < ranges.Count; i++)
        {
            var (lo, hi) = (ranges[i].Lo, ranges[i].Hi);
            if (!double.IsFinite(lo) || !double.IsFinite(hi) || lo > hi)
            {
                throw new SpecValidationException($"{field}[{i}]",
                    $"must satisfy lo <= hi with finite values, was [{lo}, {hi}].");
            }

            if (lo < Dac.Min || hi > Dac.Max)
            {
                throw new SpecValidationException($"{field}[{i}]",
                    $"[{lo}, {hi}] lies outside the DAC range [{Dac.Min}, {Dac.Max}].");
            }
        }
    }

    private void ValidateLayout()
    {
        if (DriveLayout is null || DriveLayout.Count != InputSize + ParameterSize)
        {
            throw new SpecValidationException("driveLayout",
                $"must have inputSize + parameterSize = {InputSize + ParameterSize} slots, had "
                    + $"{DriveLayout?.Count ?? 0}.");
        }

        var seenInputs = new bool[InputSize];
        var seenParameters = new bool[ParameterSize];
        for (var s = 0; s < DriveLayout.Count; s++)
        {
            var slot = DriveLayout[s];
            var seen = slot.Kind == DriveSlotKind.Input ? seenInputs : seenParameters;
            if (slot.Index < 0 || slot.Index >= seen.Length)
            {
                throw new SpecValidationException($"driveLayout[{s}].index",
                    $"{slot.Index} is out of range for {slot.Kind} (0..{seen.Length - 1}).");
            }

            if (seen[slot.Index])
            {
                throw new SpecValidationException($"driveLayout[{s}]",
                    $"plays {slot.Kind} {slot.Index} a second time.");
            }

            seen[slot.Index] = true;
        }
    }
}
