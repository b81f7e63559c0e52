using Edge.Bridge.Protocol;

namespace Edge.Bridge.Tests;

public sealed class MessageValidationTests
{
    [Fact]
    public void HelloAck_fields_survive_encoding_at_their_documented_offsets()
    {
        var ack = new HelloAckMessage(1, 2, 3, 12, 12, 2_000_000, 32768, 512,
            Capabilities.RawCapture | Capabilities.BinnedCapture);
        var payload = ack.ToPayload();
        Assert.Equal(HelloAckMessage.Length, payload.Length);
        Assert.Equal(2_000_000u, LittleEndian.ReadUInt32(payload, 5));
        var decoded = (HelloAckMessage)MessageCodec.Decode(MessageType.HelloAck, payload, 0, payload.Length);
        Assert.Equal((1, 2, 3, 12, 12),
            (decoded.Version, decoded.DacChannels, decoded.AdcChannels, decoded.DacBits, decoded.AdcBits));
        Assert.Equal((2_000_000u, 32768u, (ushort)512),
            (decoded.MaxSampleRateHz, decoded.BufferSamples, decoded.MaxPayload));
        Assert.Equal(Capabilities.RawCapture | Capabilities.BinnedCapture, decoded.DeviceCapabilities);
    }

    [Fact]
    public void PlayAndCapture_fields_survive_encoding()
    {
        var request = new PlayAndCaptureMessage(0xBEEF, 1, 2, 1_000_000, 50, 15, [0x0000, 0x8000, 0xFFFF]);
        var payload = request.ToPayload();
        Assert.Equal(PlayAndCaptureMessage.HeaderLength + 6, payload.Length);
        var decoded = (PlayAndCaptureMessage)MessageCodec.Decode(MessageType.PlayAndCapture, payload, 0,
            payload.Length);
        Assert.Equal((0xBEEF, 1, 2), (decoded.CaptureId, decoded.DriveChannel, decoded.CaptureChannel));
        Assert.Equal((1_000_000u, (ushort)50, (ushort)15, 3, 150L),
            (decoded.SampleRateHz, decoded.SamplesPerSegment, decoded.BinCount, decoded.SegmentCount,
                decoded.TotalSamples));
        Assert.Equal(0x8000, decoded.GetSegmentCode(1));
        Assert.Equal(0xFFFF, decoded.GetSegmentCode(2));
    }

    [Fact]
    public void CaptureResult_fields_survive_encoding()
    {
        var result = new CaptureResultMessage(9, 1, CaptureKind.Raw, 1000, 990, [1, 2, 3, 4, 5, 6, 7, 8, 9, 4095]);
        var decoded = (CaptureResultMessage)MessageCodec.Decode(MessageType.CaptureResult, result.ToPayload(), 0,
            result.PayloadLength);
        Assert.Equal((9, 1, CaptureKind.Raw, 1000u, 990u, 10),
            (decoded.CaptureId, decoded.Channel, decoded.Kind, decoded.TotalValues, decoded.FirstIndex,
                decoded.ValueCount));
        Assert.Equal(4095, decoded.GetValue(9));
    }

    [Fact]
    public void Error_text_survives_encoding()
    {
        var error = new ErrorMessage(BridgeErrorCode.Overrun, 17, "ADC overrun at sample 512");
        var decoded = (ErrorMessage)MessageCodec.Decode(MessageType.Error, error.ToPayload(), 0, error.PayloadLength);
        Assert.Equal((BridgeErrorCode.Overrun, 17, "ADC overrun at sample 512"),
            (decoded.Code, decoded.RelatedSequence, decoded.Text));
    }

    [Fact]
    public void Invalid_fields_are_rejected_with_the_values_named()
    {
        AssertInvalid("Hello version range 3..2 is empty or starts below 1",
            () => new HelloMessage(3, 2, 256, Capabilities.None));
        AssertInvalid("max payload 10 is outside the negotiable range 64..4096",
            () => new HelloMessage(1, 1, 10, Capabilities.None));
        AssertInvalid("HelloAck resolutions DAC 17 / ADC 12 bits must be within 1..16",
            () => new HelloAckMessage(1, 1, 1, 17, 12, 1, 1, 256, Capabilities.None));
        AssertInvalid("PlayAndCapture bin count 7 does not divide the 20 captured samples",
            () => new PlayAndCaptureMessage(0, 0, 0, 1000, 10, 7, [1, 2]));
        AssertInvalid("PlayAndCapture needs 1..65535 segments, got 0",
            () => new PlayAndCaptureMessage(0, 0, 0, 1000, 10, 0, []));
        AssertInvalid("PlayAndCapture sample rate 0 Hz", () => new PlayAndCaptureMessage(0, 0, 0, 0, 10, 0, [1]));
        AssertInvalid("CaptureResult slice 8..9 runs past the 9 values of the capture",
            () => new CaptureResultMessage(0, 0, CaptureKind.Raw, 9, 8, [1, 2]));
        AssertInvalid("CaptureResult kind 2 is neither binned (0) nor raw (1)",
            () => new CaptureResultMessage(0, 0, (CaptureKind)2, 9, 0, [1]));
        AssertInvalid("Nack reason 0 is not defined", () => new NackMessage(0, 0));
        AssertInvalid("Error text character 2 (0x0A) is not printable ASCII",
            () => new ErrorMessage(BridgeErrorCode.HardwareFault, 0, "ab\ncd"));
        AssertInvalid("Error text is 61 characters, max 60",
            () => new ErrorMessage(BridgeErrorCode.HardwareFault, 0, new string('x', 61)));
    }

    [Fact]
    public void Payloads_of_the_wrong_length_are_rejected_with_both_lengths_named()
    {
        var request = new PlayAndCaptureMessage(1, 0, 0, 1000, 1, 0, [1, 2, 3, 4]).ToPayload();
        AssertInvalid("PlayAndCapture payload is 20 bytes, expected 22",
            () => MessageCodec.Decode(MessageType.PlayAndCapture, request, 0, 20));
        AssertInvalid("PlayAndCapture payload is 10 bytes, shorter than its 14-byte header",
            () => MessageCodec.Decode(MessageType.PlayAndCapture, request, 0, 10));
        AssertInvalid("Ack payload is 1 bytes, expected 0", () => MessageCodec.Decode(MessageType.Ack, [0], 0, 1));
        AssertInvalid("SetSafe payload is 2 bytes, expected 3",
            () => MessageCodec.Decode(MessageType.SetSafe, [0, 0], 0, 2));
        AssertInvalid("Hello payload is 9 bytes, expected 8",
            () => MessageCodec.Decode(MessageType.Hello, new byte[9], 0, 9));
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(1, 3, 2, 5, 3)]
    [InlineData(2, 4, 1, 2, 2)]
    [InlineData(3, 4, 1, 2, -1)]
    public void Version_negotiation_picks_the_newest_common_version(int hostMin, int hostMax, int deviceMin,
        int deviceMax, int expected) =>
        Assert.Equal(expected,
            ProtocolVersion.Negotiate((byte)hostMin, (byte)hostMax, (byte)deviceMin, (byte)deviceMax));

    private static void AssertInvalid(string expectedMessage, Func<object> action)
    {
        var error = Assert.Throws<ProtocolException>(action);
        Assert.Equal(ProtocolError.InvalidPayload, error.Error);
        Assert.Equal(expectedMessage, error.Message);
    }
}
