namespace Edge.Devices.Emulation;

/// <summary>Where an emulated DAC output is wired: it receives the output voltage whenever it changes.</summary>
public interface IAnalogSink
{
    /// <summary>The DAC output now stands at <paramref name="volts"/>.</summary>
    void SetVolts(double volts);
}

/// <summary>What an emulated ADC input is wired to: it reports the voltage at the moment of the conversion.</summary>
public interface IAnalogSource
{
    /// <summary>The voltage now.</summary>
    double ReadVolts();
}

/// <summary>A fixed voltage (a reference, a divider, a grounded input), for datasheet examples and unused
/// inputs.</summary>
/// <param name="volts">The voltage.</param>
public sealed class ConstantVoltage(double volts) : IAnalogSource
{
    /// <summary>The voltage; settable to step the input between conversions.</summary>
    public double Volts { get; set; } = volts;

    /// <inheritdoc />
    public double ReadVolts() => Volts;
}

/// <summary>A node that remembers the last voltage written to it, e.g. a DAC output wired straight to an ADC
/// input.</summary>
public sealed class WireNode : IAnalogSink, IAnalogSource
{
    private double _volts;

    /// <inheritdoc />
    public void SetVolts(double volts) => _volts = volts;

    /// <inheritdoc />
    public double ReadVolts() => _volts;
}
