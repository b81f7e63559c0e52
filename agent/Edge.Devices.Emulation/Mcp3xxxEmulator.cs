using System.Device.Spi;

namespace Edge.Devices.Emulation;

/// <summary>
/// Bit-level MCP3008 (10-bit) / MCP3208 (12-bit): the chip waits for a start bit on D_IN, reads SGL/DIFF and D2…D0,
/// samples the selected input during the next clock, drives a null bit and then the result MSB first; after the LSB it
/// clocks out zeros. Code = ⌊2^bits · V_IN / V_REF⌋, clipped to the code range.
/// </summary>
public sealed class Mcp3xxxEmulator : EmulatedSpiDevice
{
    private readonly IAnalogSource[] _inputs = new IAnalogSource[8];
    private readonly double _referenceVolts;
    private int _lastCode;

    /// <summary>Creates a chip with every input grounded.</summary>
    /// <param name="clock">The bench's virtual clock.</param>
    /// <param name="bits">10 (MCP3008) or 12 (MCP3208).</param>
    /// <param name="referenceVolts">V_REF.</param>
    /// <param name="clockFrequency">SPI clock.</param>
    public Mcp3xxxEmulator(VirtualClock clock, int bits, double referenceVolts = 3.3, int clockFrequency = 1_000_000)
        : base(new SpiConnectionSettings(0, 1) { ClockFrequency = clockFrequency }, clock)
    {
        if (bits is not (10 or 12))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits,
                "Emulated MCP3xxx parts are the 10-bit MCP3008 and the 12-bit MCP3208.");
        }

        if (!(referenceVolts > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(referenceVolts), referenceVolts, "V_REF must be positive.");
        }

        Bits = bits;
        _referenceVolts = referenceVolts;
        var ground = new ConstantVoltage(0);
        for (var i = 0; i < _inputs.Length; i++)
        {
            _inputs[i] = ground;
        }
    }

    /// <summary>
    /// A fault injected for tests and fault benches; may be changed from any thread while the chip runs.
    /// </summary>
    public ConverterFault Fault { get; set; }

    /// <summary>Resolution in bits.</summary>
    public int Bits { get; }

    /// <summary>Wires CH<paramref name="channel"/> to <paramref name="source"/>.</summary>
    public void Connect(int channel, IAnalogSource source)
    {
        if ((uint)channel > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "MCP3008/MCP3208 have inputs CH0 to CH7.");
        }

        _inputs[channel] = source ?? throw new ArgumentNullException(nameof(source));
    }

    /// <inheritdoc />
    protected override void OnTransfer(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        miso.Clear();
        var total = mosi.Length * 8;
        var bit = 0;
        while (bit < total && Bit(mosi, bit) == 0)
        {
            bit++;
        }

        // Start bit, SGL/DIFF, D2, D1, D0, then one sample clock, the null bit, and the result.
        if (bit + 5 > total)
        {
            return;
        }

        var singleEnded = Bit(mosi, bit + 1) == 1;
        var channel = (Bit(mosi, bit + 2) << 2) | (Bit(mosi, bit + 3) << 1) | Bit(mosi, bit + 4);
        var code = Convert(singleEnded, channel);
        var first = bit + 7;
        for (var i = 0; i < Bits; i++)
        {
            var position = first + i;
            if (position >= total)
            {
                break;
            }

            if (((code >> (Bits - 1 - i)) & 1) != 0)
            {
                miso[position / 8] |= (byte)(0x80 >> (position % 8));
            }
        }
    }

    private int Convert(bool singleEnded, int channel)
    {
        double volts;
        if (singleEnded)
        {
            volts = _inputs[channel].ReadVolts();
        }
        else
        {
            // Pair n = channel / 2: even codes read CH(2n) − CH(2n+1), odd codes the reverse.
            volts = _inputs[channel].ReadVolts() - _inputs[channel ^ 1].ReadVolts();
        }

        var max = (1 << Bits) - 1;
        _lastCode = Fault switch
        {
            ConverterFault.Stuck => _lastCode,
            ConverterFault.Saturated => max,
            _ => (int)Math.Clamp(Math.Floor((1 << Bits) * volts / _referenceVolts), 0, max),
        };
        return _lastCode;
    }

    private static int Bit(ReadOnlySpan<byte> data, int index) => (data[index / 8] >> (7 - (index % 8))) & 1;
}
