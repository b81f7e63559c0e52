namespace Edge.Bridge.Protocol;

/// <summary>
/// Host → device: play a piecewise-constant drive waveform and capture the response. Payload (14 + 2·n bytes):
/// captureId u16, driveChannel u8, captureChannel u8, sampleRateHz u32, samplesPerSegment u16, binCount u16,
/// segmentCount u16 (= n), then n DAC codes u16.
/// </summary>
public sealed class PlayAndCaptureMessage : Message
{
    /// <summary>Length of the fixed part before the DAC codes.</summary>
    public const int HeaderLength = 14;

    private readonly ushort[] segmentCodes;

    /// <summary>Creates and validates a request.</summary>
    /// <param name="captureId">Identifier echoed in the matching CaptureResult frames.</param>
    /// <param name="driveChannel">DAC channel to drive.</param>
    /// <param name="captureChannel">ADC channel to sample.</param>
    /// <param name="sampleRateHz">DAC update and ADC sample rate, ≥ 1.</param>
    /// <param name="samplesPerSegment">Samples each segment value is held for, ≥ 1.</param>
    /// <param name="binCount">Number of equal bins the capture is averaged into; 0 asks for raw samples.</param>
    /// <param name="segmentCodes">DAC code of each drive segment, at least one (copied).</param>
    public PlayAndCaptureMessage(
        ushort captureId,
        byte driveChannel,
        byte captureChannel,
        uint sampleRateHz,
        ushort samplesPerSegment,
        ushort binCount,
        ushort[] segmentCodes)
    {
        Require(segmentCodes.Length >= 1 && segmentCodes.Length <= ushort.MaxValue,
            $"PlayAndCapture needs 1..65535 segments, got {segmentCodes.Length}");
        Require(sampleRateHz >= 1, "PlayAndCapture sample rate 0 Hz");
        Require(samplesPerSegment >= 1, "PlayAndCapture with 0 samples per segment");
        var totalSamples = (long)segmentCodes.Length * samplesPerSegment;
        Require(
            binCount == 0 || (binCount <= totalSamples && totalSamples % binCount == 0),
            $"PlayAndCapture bin count {binCount} does not divide the {totalSamples} captured samples");
        CaptureId = captureId;
        DriveChannel = driveChannel;
        CaptureChannel = captureChannel;
        SampleRateHz = sampleRateHz;
        SamplesPerSegment = samplesPerSegment;
        BinCount = binCount;
        this.segmentCodes = (ushort[])segmentCodes.Clone();
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.PlayAndCapture;

    /// <inheritdoc/>
    public override int PayloadLength => HeaderLength + (2 * segmentCodes.Length);

    /// <summary>Identifier echoed in the matching CaptureResult frames.</summary>
    public ushort CaptureId { get; }

    /// <summary>DAC channel to drive.</summary>
    public byte DriveChannel { get; }

    /// <summary>ADC channel to sample.</summary>
    public byte CaptureChannel { get; }

    /// <summary>DAC update and ADC sample rate in Hz.</summary>
    public uint SampleRateHz { get; }

    /// <summary>Samples each segment value is held for.</summary>
    public ushort SamplesPerSegment { get; }

    /// <summary>Number of bins the capture is averaged into; 0 means raw samples.</summary>
    public ushort BinCount { get; }

    /// <summary>Number of drive segments.</summary>
    public int SegmentCount => segmentCodes.Length;

    /// <summary>Total samples played and captured.</summary>
    public long TotalSamples => (long)segmentCodes.Length * SamplesPerSegment;

    /// <summary>DAC code of one segment.</summary>
    /// <param name="index">Segment index.</param>
    /// <returns>The 16-bit DAC code.</returns>
    public ushort GetSegmentCode(int index) => segmentCodes[index];

    /// <summary>Decodes and validates a payload.</summary>
    /// <param name="payload">Buffer holding the payload.</param>
    /// <param name="offset">First payload byte.</param>
    /// <param name="count">Payload length.</param>
    /// <returns>The message.</returns>
    public static PlayAndCaptureMessage Decode(byte[] payload, int offset, int count)
    {
        RequireMinimumLength(MessageType.PlayAndCapture, count, HeaderLength);
        int segmentCount = LittleEndian.ReadUInt16(payload, offset + 12);
        RequireLength(MessageType.PlayAndCapture, count, HeaderLength + (2 * segmentCount));
        var codes = new ushort[segmentCount];
        for (var i = 0; i < segmentCount; i++)
        {
            codes[i] = LittleEndian.ReadUInt16(payload, offset + HeaderLength + (2 * i));
        }

        return new PlayAndCaptureMessage(
            LittleEndian.ReadUInt16(payload, offset),
            payload[offset + 2],
            payload[offset + 3],
            LittleEndian.ReadUInt32(payload, offset + 4),
            LittleEndian.ReadUInt16(payload, offset + 8),
            LittleEndian.ReadUInt16(payload, offset + 10),
            codes);
    }

    /// <inheritdoc/>
    public override void WritePayload(byte[] destination, int offset)
    {
        LittleEndian.WriteUInt16(destination, offset, CaptureId);
        destination[offset + 2] = DriveChannel;
        destination[offset + 3] = CaptureChannel;
        LittleEndian.WriteUInt32(destination, offset + 4, SampleRateHz);
        LittleEndian.WriteUInt16(destination, offset + 8, SamplesPerSegment);
        LittleEndian.WriteUInt16(destination, offset + 10, BinCount);
        LittleEndian.WriteUInt16(destination, offset + 12, (ushort)segmentCodes.Length);
        for (var i = 0; i < segmentCodes.Length; i++)
        {
            LittleEndian.WriteUInt16(destination, offset + HeaderLength + (2 * i), segmentCodes[i]);
        }
    }
}
