using Edge.Domain.Physics;

namespace Edge.Devices.Emulation;

/// <summary>
/// A simulated layer circuit on the emulated bench: a DAC output drives it through a level shifter, an ADC input reads
/// it
/// through an attenuator, and it evolves in virtual time, one physics step per step period, with whatever the DAC held
/// during that step. Noise-free: the imperfections of the real part live in its coefficients.
/// </summary>
public sealed class AnalogBench
{
    private readonly ISampledPhysics _physics;
    private readonly double[] _coefficients;
    private readonly double[] _state;
    private readonly VirtualClock _clock;
    private readonly long _stepTicks;
    private readonly double _dacFullScaleVolts;
    private readonly double _adcFullScaleVolts;
    private double _drive;

    /// <summary>Builds the bench.</summary>
    /// <param name="physics">The layer's physics.</param>
    /// <param name="coefficients">The part's coefficients (e.g. <c>SimulatedDevice.PartCoefficients</c>).</param>
    /// <param name="clock">The virtual clock shared with the emulated chips.</param>
    /// <param name="dacFullScaleVolts">DAC output at its top code, mapped to the layer's DAC maximum (0 V maps to its
    /// minimum).</param>
    /// <param name="adcFullScaleVolts">ADC input voltage that the layer's ADC maximum is attenuated to (its minimum
    /// maps to 0 V).</param>
    public AnalogBench(ISampledPhysics physics, IReadOnlyList<double> coefficients, VirtualClock clock,
        double dacFullScaleVolts, double adcFullScaleVolts)
    {
        _physics = physics ?? throw new ArgumentNullException(nameof(physics));
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.Count != physics.Coefficients.Count)
        {
            throw new
                ArgumentException($"The physics has {physics.Coefficients.Count} coefficients, got "
                    + $"{coefficients.Count}.", nameof(coefficients));
        }

        if (!(dacFullScaleVolts > 0) || !(adcFullScaleVolts > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(dacFullScaleVolts),
                "Converter full-scale voltages must be positive.");
        }

        _coefficients = [.. coefficients];
        _state = new double[physics.StateSize];
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _stepTicks = (long)Math.Round(physics.StepSeconds * clock.TimestampFrequency);
        if (_stepTicks <= 0)
        {
            throw new
                ArgumentException($"A physics step of {physics.StepSeconds} s is below the virtual clock's resolution.",
                    nameof(physics));
        }

        _dacFullScaleVolts = dacFullScaleVolts;
        _adcFullScaleVolts = adcFullScaleVolts;
        _drive = Math.Clamp(0.0, physics.Spec.Dac.Min, physics.Spec.Dac.Max);
        Drive = new DriveInput(this);
        Response = new ResponseOutput(this);
    }

    /// <summary>The level-shifter input: wire a DAC output here.</summary>
    public IAnalogSink Drive { get; }

    /// <summary>The attenuator output: wire an ADC input here.</summary>
    public IAnalogSource Response { get; }

    /// <summary>Physics steps taken since the bench was built.</summary>
    public long Steps { get; private set; }

    private void AdvanceToNow()
    {
        var now = _clock.GetTimestamp();
        while ((Steps + 1) * _stepTicks <= now)
        {
            _physics.Step(_coefficients, _state, _drive);
            Steps++;
        }
    }

    private sealed class DriveInput(AnalogBench bench) : IAnalogSink
    {
        public void SetVolts(double volts)
        {
            // Everything up to now ran on the old level; the new one holds from here.
            bench.AdvanceToNow();
            var dac = bench._physics.Spec.Dac;
            bench._drive = dac.Min + (volts / bench._dacFullScaleVolts * (dac.Max - dac.Min));
        }
    }

    private sealed class ResponseOutput(AnalogBench bench) : IAnalogSource
    {
        public double ReadVolts()
        {
            bench.AdvanceToNow();
            var adc = bench._physics.Spec.Adc;
            var y = bench._physics.Observe(bench._coefficients, bench._state);
            return (y - adc.Min) / (adc.Max - adc.Min) * bench._adcFullScaleVolts;
        }
    }
}
