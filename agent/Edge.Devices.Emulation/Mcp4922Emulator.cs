using System.Device.Spi;

namespace Edge.Devices.Emulation;

/// <summary>
/// Register-level MCP4922: 16-bit command words (A/B, BUF, GA, SHDN, D11…D0) latched when /CS rises; the outputs take
/// the
/// input registers at once when /LDAC is tied low, or on <see cref="PulseLdac"/> otherwise. V_OUT = V_REF · G · code /
/// 4096,
/// clipped to the supply; 0 V when shut down.
/// </summary>
public sealed class Mcp4922Emulator : EmulatedSpiDevice
{
    private readonly double[] _referenceVolts;
    private readonly double _supplyVolts;
    private readonly int[] _input = new int[2];
    private readonly int[] _output = new int[2];
    private readonly bool[] _gainX1 = [true, true];
    private readonly bool[] _active = [false, false];
    private readonly bool[] _outputActive = [false, false];
    private readonly bool[] _outputGainX1 = [true, true];
    private readonly IAnalogSink?[] _sinks = new IAnalogSink?[2];

    /// <summary>Creates a chip whose outputs start shut down (its power-on state).</summary>
    /// <param name="clock">The bench's virtual clock.</param>
    /// <param name="referenceVoltsA">V_REFA.</param>
    /// <param name="referenceVoltsB">V_REFB.</param>
    /// <param name="supplyVolts">V_DD, the output ceiling.</param>
    /// <param name="clockFrequency">SPI clock (≤ 20 MHz).</param>
    public Mcp4922Emulator(VirtualClock clock, double referenceVoltsA = 3.3, double referenceVoltsB = 3.3,
        double supplyVolts = 3.3, int clockFrequency = 20_000_000)
        : base(new SpiConnectionSettings(0, 0) { ClockFrequency = clockFrequency }, clock)
    {
        _referenceVolts = [referenceVoltsA, referenceVoltsB];
        _supplyVolts = supplyVolts;
    }

    /// <summary>Whether /LDAC is tied low, so outputs follow every write (true by default).</summary>
    public bool LdacTiedLow { get; set; } = true;

    /// <summary>Output voltage of channel 0 (A) or 1 (B).</summary>
    public double OutputVolts(int channel) => !_outputActive[channel]
        ? 0.0
        : Math.Min(_supplyVolts,
            _referenceVolts[channel] * (_outputGainX1[channel] ? 1 : 2) * _output[channel] / 4096.0);

    /// <summary>Wires channel 0 (A) or 1 (B) to <paramref name="sink"/>.</summary>
    public void Connect(int channel, IAnalogSink sink)
    {
        if ((uint)channel > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "MCP4922 has channels 0 (A) and 1 (B).");
        }

        _sinks[channel] = sink ?? throw new ArgumentNullException(nameof(sink));
        sink.SetVolts(OutputVolts(channel));
    }

    /// <summary>/LDAC pulsed low: both outputs take their input registers.</summary>
    public void PulseLdac()
    {
        Update(0);
        Update(1);
    }

    /// <inheritdoc />
    protected override void OnTransfer(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        // SDO does not exist on the MCP4922: MISO floats (reads as ones with a pull-up).
        miso.Fill(0xFF);
        if (mosi.Length != 2)
        {
            // /CS rising after other than 16 clocks aborts the write (datasheet 5.2).
            return;
        }

        var word = (mosi[0] << 8) | mosi[1];
        var channel = word >> 15;
        _input[channel] = word & 0x0FFF;
        _gainX1[channel] = (word & (1 << 13)) != 0;
        _active[channel] = (word & (1 << 12)) != 0;
        if (LdacTiedLow)
        {
            Update(channel);
        }
    }

    private void Update(int channel)
    {
        _output[channel] = _input[channel];
        _outputGainX1[channel] = _gainX1[channel];
        _outputActive[channel] = _active[channel];
        _sinks[channel]?.SetVolts(OutputVolts(channel));
    }
}
