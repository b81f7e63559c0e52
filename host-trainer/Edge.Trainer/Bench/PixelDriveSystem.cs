using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;
using Edge.Domain.Simulation.Field;
using Edge.Domain.Simulation.Mechanical;
using Edge.Domain.Specs;

namespace Edge.Trainer.Bench;

/// <summary>
/// The paper's MNIST encoding on the electronic or mechanical part: every pixel of the 14×14 image is one time
/// segment of the drive (row by row), with one trainable parameter segment after every few pixels, and the response
/// is read into many short bins. The physics, datasheet values and part spread are the system's own (same device id,
/// same part); only the drive length and the bin count differ, and the readout noise per bin grows as the bins get
/// shorter (fewer ADC samples averaged), so the wide layer is no quieter than the 24-segment one.
/// </summary>
public sealed class PixelDriveSystem : IPhysicalSystem
{
    /// <summary>Pixels per image (14 × 14).</summary>
    public const int Pixels = 196;

    /// <summary>Trainable parameter segments: one after every 4 pixels.</summary>
    public const int ParameterSegments = 49;

    /// <summary>Output bins: as many as pixels, so the same layer can be stacked (5 ADC samples per bin).</summary>
    public const int Bins = Pixels;

    // DAC samples per segment on the mechanical part: 4 at 48 kHz (83 µs) plays the whole drive in 20 ms, about the
    // plate's ring-down time, so the last bins still hear the first rows.
    private const int MechanicalSamplesPerSegment = 4;

    private readonly IPhysicalSystem _base;
    private readonly Imperfections _imperfections;
    private readonly Func<Imperfections, string, IFieldPhysics?> _fieldPhysics;

    private PixelDriveSystem(IPhysicalSystem baseSystem, IDifferentiablePhysics physics, Imperfections imperfections,
        Func<Imperfections, string, IFieldPhysics?> fieldPhysics)
    {
        _base = baseSystem;
        Physics = physics;
        _imperfections = imperfections;
        _fieldPhysics = fieldPhysics;
    }

    /// <inheritdoc />
    public string Name => _base.Name;

    /// <inheritdoc />
    public string Description
        => $"{_base.Description}; MNIST pixel drive: {Pixels} pixel segments + {ParameterSegments} parameter segments, "
            + $"{Bins} bins";

    /// <inheritdoc />
    public LayerSpec Spec => Physics.Spec;

    /// <inheritdoc />
    public IDifferentiablePhysics Physics { get; }

    /// <inheritdoc />
    public Imperfections DefaultImperfections => _imperfections;

    /// <summary>Whether the pixel drive exists for <paramref name="system"/> (the time-segment devices).</summary>
    public static bool Supports(string system)
        => string.Equals(system, ElectronicSystem.SystemName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(system, MechanicalSystem.SystemName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The pixel-drive layer of <paramref name="system"/>, or an error naming the systems that have
    /// one.</summary>
    public static PixelDriveSystem For(string system)
    {
        if (string.Equals(system, ElectronicSystem.SystemName, StringComparison.OrdinalIgnoreCase))
        {
            var spec = BuildSpec("electronic-pixels", ElectronicSystem.LayerSpec.Dac, ElectronicSystem.LayerSpec.Adc);
            var physics = new OdeLayerPhysics<DiodeClampedRlc>(spec, default, ElectronicSystem.Coefficients,
                ElectronicSystem.SamplesPerSegment, ElectronicSystem.TimeStepMicroseconds);
            var baseSpec = ElectronicSystem.LayerSpec;
            return new PixelDriveSystem(ElectronicSystem.Instance, physics,
                PerBinNoise(ElectronicImperfections.Default, baseSpec, spec), (_, _) => null);
        }

        if (string.Equals(system, MechanicalSystem.SystemName, StringComparison.OrdinalIgnoreCase))
        {
            var baseSystem = MechanicalSystem.Default;
            var baseSpec = baseSystem.Spec;
            var rate = baseSpec.Dac.SampleRateHz;
            var spec = BuildSpec(
                "mechanical-pixels",
                baseSpec.Dac with { SamplesPerSegment = MechanicalSamplesPerSegment },
                baseSpec.Adc);
            var stepsPerSample = baseSystem.Configuration.StepsPerSample;
            var steps = MechanicalSamplesPerSegment * stepsPerSample;
            var dtMs = 1000.0 / (rate * stepsPerSample);
            var physics = new OdeLayerPhysics<SpeakerDrivenPlate>(spec, default, MechanicalSystem.Coefficients,
                steps, dtMs);
            return new PixelDriveSystem(baseSystem, physics,
                PerBinNoise(MechanicalSystem.LabImperfections, baseSpec, spec),
                (imperfections, part) => MechanicalSystem.FieldPhysics(spec, steps, dtMs, imperfections, part));
        }

        throw new
            ArgumentException($"The MNIST pixel drive needs a time-segment device (electronic or mechanical), not "
                + $"'{system}'; the optical system uses the hybrid (--architecture wide).", nameof(system));
    }

    /// <inheritdoc />
    public SimulatedDevice CreateDevice(string deviceId, ulong seed, Imperfections? imperfections = null)
    {
        var chosen = imperfections ?? _imperfections;
        return new(Physics, deviceId, chosen, seed, null, _fieldPhysics(chosen, deviceId));
    }

    /// <summary>Pixels with one parameter segment after every <c>Pixels / ParameterSegments</c> of them.</summary>
    public static DriveSlot[] InterleavedLayout()
    {
        const int stride = Pixels / ParameterSegments;
        var slots = new DriveSlot[Pixels + ParameterSegments];
        var s = 0;
        for (var p = 0; p < ParameterSegments; p++)
        {
            for (var i = 0; i < stride; i++)
            {
                slots[s++] = new DriveSlot(DriveSlotKind.Input, (p * stride) + i);
            }

            // A parameter after each group, not all of them after the image: the response is causal and forgets
            // within a few segments, so a parameter can only shape the bins that follow it closely.
            slots[s++] = new DriveSlot(DriveSlotKind.Parameter, p);
        }

        return slots;
    }

    private static LayerSpec BuildSpec(string name, DacSpec dac, AdcSpec adc) => new LayerSpec
    {
        Name = name,
        InputSize = Pixels,
        ParameterSize = ParameterSegments,
        OutputSize = Bins,
        DriveLayout = InterleavedLayout(),
        Dac = dac,
        Adc = adc with { Bins = Bins },
        InputRanges = Enumerable.Repeat(new ValueRange(dac.Min, dac.Max), Pixels).ToArray(),
        ParameterRanges = Enumerable.Repeat(new ValueRange(dac.Min, dac.Max), ParameterSegments).ToArray(),
    }.Validate();

    // Readout noise per bin scales as 1/√(ADC samples averaged): shorter bins are noisier.
    private static Imperfections PerBinNoise(Imperfections baseImperfections, LayerSpec baseSpec, LayerSpec spec)
    {
        var baseSamplesPerBin = (double)baseSpec.DriveLength * baseSpec.Dac.SamplesPerSegment / baseSpec.OutputSize;
        var samplesPerBin = (double)spec.DriveLength * spec.Dac.SamplesPerSegment / spec.OutputSize;
        return baseImperfections
            with { ReadoutNoise = baseImperfections.ReadoutNoise * Math.Sqrt(baseSamplesPerBin / samplesPerBin) };
    }
}
