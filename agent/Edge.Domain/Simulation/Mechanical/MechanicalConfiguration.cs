namespace Edge.Domain.Simulation.Mechanical;

/// <summary>
/// Shape of a mechanical layer's drive and readout: how many sample-and-hold segments (inputs, then parameters), how
/// long each is held at the audio sample rate, and how many short-time power bins the microphone signal is read into.
/// The default is the 24-segment layer; a whole audio waveform is e.g. hundreds of one-sample segments.
/// </summary>
public sealed record MechanicalConfiguration
{
    /// <summary>The 24-segment layer: 12 inputs then 12 parameters, each held 1 ms at 48 kHz, read into 12 bins of 2
    /// ms.</summary>
    public static MechanicalConfiguration Default { get; } = new();

    /// <summary>Layer name written into the spec.</summary>
    public string Name { get; init; } = MechanicalSystem.SystemName;

    /// <summary>Drive segments that carry data.</summary>
    public int InputSegments { get; init; } = 12;

    /// <summary>Drive segments that carry trainable parameters (played after the inputs).</summary>
    public int ParameterSegments { get; init; } = 12;

    /// <summary>Output bins (each the mean microphone power over an equal share of the ADC samples).</summary>
    public int Bins { get; init; } = 12;

    /// <summary>DAC samples one segment is held for.</summary>
    public int SamplesPerSegment { get; init; } = 48;

    /// <summary>DAC and ADC sample rate.</summary>
    public double SampleRateHz { get; init; } = 48_000;

    /// <summary>RK4 steps per audio sample; more steps only buy integration accuracy.</summary>
    public int StepsPerSample { get; init; } = 1;

    /// <summary>Number of drive segments.</summary>
    public int Segments => InputSegments + ParameterSegments;

    /// <summary>ADC samples in one drive.</summary>
    public int TotalSamples => Segments * SamplesPerSegment;

    /// <summary>Checks the values and names the first bad one.</summary>
    public MechanicalConfiguration Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentOutOfRangeException.ThrowIfLessThan(InputSegments, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(ParameterSegments);
        ArgumentOutOfRangeException.ThrowIfLessThan(Bins, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(SamplesPerSegment, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(StepsPerSample, 1);
        if (!double.IsFinite(SampleRateHz) || SampleRateHz < 8_000)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRateHz), SampleRateHz,
                "Sample rate must be finite and at least 8 kHz (the band-pass reaches 4 kHz).");
        }

        if (TotalSamples % Bins != 0)
        {
            throw new
                ArgumentException($"{TotalSamples} ADC samples ({Segments} segments × {SamplesPerSegment}) do not "
                    + $"split evenly into {Bins} bins.", nameof(Bins));
        }

        return this;
    }
}
