namespace Edge.Bridge.Protocol;

/// <summary>
/// Device → host: accepts a Hello. Payload (19 bytes): version u8, dacChannels u8, adcChannels u8, dacBits u8,
/// adcBits u8, maxSampleRateHz u32, bufferSamples u32, maxPayload u16, capabilities u32.
/// </summary>
public sealed class HelloAckMessage : Message
{
    /// <summary>Encoded payload length.</summary>
    public const int Length = 19;

    /// <summary>Creates and validates a HelloAck.</summary>
    /// <param name="version">Protocol version the device selected from the Hello's range.</param>
    /// <param name="dacChannels">Number of DAC (drive) channels, ≥ 1.</param>
    /// <param name="adcChannels">Number of ADC (capture) channels, ≥ 1.</param>
    /// <param name="dacBits">DAC resolution in bits, 1..16.</param>
    /// <param name="adcBits">ADC resolution in bits, 1..16.</param>
    /// <param name="maxSampleRateHz">Highest sample rate, ≥ 1.</param>
    /// <param name="bufferSamples">Capture buffer size in samples, ≥ 1.</param>
    /// <param name="maxPayload">Largest payload the device accepts, within the negotiable range.</param>
    /// <param name="capabilities">Optional features the device offers.</param>
    public HelloAckMessage(
        byte version,
        byte dacChannels,
        byte adcChannels,
        byte dacBits,
        byte adcBits,
        uint maxSampleRateHz,
        uint bufferSamples,
        ushort maxPayload,
        Capabilities capabilities)
    {
        Require(version >= 1, "HelloAck version 0 is not a protocol version");
        Require(dacChannels >= 1 && adcChannels >= 1,
            $"HelloAck channel counts DAC {dacChannels} / ADC {adcChannels} must be at least 1");
        Require(dacBits >= 1 && dacBits <= 16 && adcBits >= 1 && adcBits <= 16,
            $"HelloAck resolutions DAC {dacBits} / ADC {adcBits} bits must be within 1..16");
        Require(maxSampleRateHz >= 1 && bufferSamples >= 1,
            $"HelloAck max sample rate {maxSampleRateHz} Hz and buffer {bufferSamples} samples must be at least 1");
        FrameCodec.RequireNegotiablePayload(maxPayload);
        Version = version;
        DacChannels = dacChannels;
        AdcChannels = adcChannels;
        DacBits = dacBits;
        AdcBits = adcBits;
        MaxSampleRateHz = maxSampleRateHz;
        BufferSamples = bufferSamples;
        MaxPayload = maxPayload;
        DeviceCapabilities = capabilities;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.HelloAck;

    /// <inheritdoc/>
    public override int PayloadLength => Length;

    /// <summary>Protocol version the device selected.</summary>
    public byte Version { get; }

    /// <summary>Number of DAC (drive) channels.</summary>
    public byte DacChannels { get; }

    /// <summary>Number of ADC (capture) channels.</summary>
    public byte AdcChannels { get; }

    /// <summary>DAC resolution in bits.</summary>
    public byte DacBits { get; }

    /// <summary>ADC resolution in bits; binned results are left-justified to 16 bits by 16 − AdcBits.</summary>
    public byte AdcBits { get; }

    /// <summary>Highest sample rate in Hz.</summary>
    public uint MaxSampleRateHz { get; }

    /// <summary>Capture buffer size in samples.</summary>
    public uint BufferSamples { get; }

    /// <summary>Largest payload the device accepts.</summary>
    public ushort MaxPayload { get; }

    /// <summary>Optional features the device offers.</summary>
    public Capabilities DeviceCapabilities { get; }

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static HelloAckMessage Decode(byte[] payload, int offset, int count)
    {
        RequireLength(MessageType.HelloAck, count, Length);
        return new HelloAckMessage(
            payload[offset],
            payload[offset + 1],
            payload[offset + 2],
            payload[offset + 3],
            payload[offset + 4],
            LittleEndian.ReadUInt32(payload, offset + 5),
            LittleEndian.ReadUInt32(payload, offset + 9),
            LittleEndian.ReadUInt16(payload, offset + 13),
            (Capabilities)LittleEndian.ReadUInt32(payload, offset + 15));
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        destination[offset] = Version;
        destination[offset + 1] = DacChannels;
        destination[offset + 2] = AdcChannels;
        destination[offset + 3] = DacBits;
        destination[offset + 4] = AdcBits;
        LittleEndian.WriteUInt32(destination, offset + 5, MaxSampleRateHz);
        LittleEndian.WriteUInt32(destination, offset + 9, BufferSamples);
        LittleEndian.WriteUInt16(destination, offset + 13, MaxPayload);
        LittleEndian.WriteUInt32(destination, offset + 15, (uint)DeviceCapabilities);
    }
}
