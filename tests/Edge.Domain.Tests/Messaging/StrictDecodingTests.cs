using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;

namespace Edge.Domain.Tests.Messaging;

/// <summary>
/// Decoders refuse what the documents do not allow: a JSON member given twice (last-wins would let one payload mean
/// two things), a flags byte other than 0 in a version-1 frame, and a reserved field that is not 0.
/// </summary>
public sealed class StrictDecodingTests
{
    private const string Time = "\"timestamp\":\"2026-01-01T00:00:00Z\"";
    private const string Head = "{\"schemaVersion\":1,\"deviceId\":\"a\",";
    private const string Offer = "\"offerId\":\"00000000-0000-0000-0000-000000000001\"";

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    public static TheoryData<string, string, string> ValidControlMessages => new()
    {
        { "StatusMessage", Head + "\"state\":\"online\"," + Time + ",\"modelVersion\":3}", "\"state\":\"offline\"" },
        { "ErrorMessage", Head + "\"topic\":\"t\",\"problem\":\"p\"," + Time + "}", "\"problem\":\"other\"" },
        { "ModelAckMessage", Head + Offer + ",\"accepted\":true,\"reason\":\"r\"," + Time + "}", "\"accepted\":false" },
        {
            "InferenceMessage",
            Head + "\"classIndex\":1,\"confidence\":0.5,\"latencyMs\":2,\"modelVersion\":4," + Time + "}",
            "\"classIndex\":0"
        },
        { "InferenceRequestMessage", "{\"schemaVersion\":1,\"features\":[0.5,1],\"source\":\"s\"}",
            "\"features\":[1,1]" },
        { "InferenceReplyMessage", Head + "\"ok\":true,\"classIndex\":2,\"modelVersion\":5," + Time + "}",
            "\"ok\":false" },
    };

    [Theory]
    [Trait("Category", "Security")]
    [MemberData(nameof(ValidControlMessages))]
    public void Every_control_message_parses_once_and_refuses_a_repeated_member(string type, string json, string repeat)
    {
        Parse(type, json);

        // A second declaration of a member the message already has; last-wins would make it the value read.
        var member = repeat.Split('"')[1];
        var duplicated = json[..^1] + "," + repeat + "}";
        var error = Assert.Throws<MessageFormatException>(() => Parse(type, duplicated));
        Assert.StartsWith(type, error.Message, StringComparison.Ordinal);
        Assert.Contains(member, error.Message, StringComparison.Ordinal);
        Assert.Contains("Duplicate", error.Message, StringComparison.OrdinalIgnoreCase);
        SecurityReport.Record(
            $"strict-duplicate-{type}",
            $"Duplicate JSON member in a {type}: '{member}' given twice (last-wins would change the meaning)",
            SecurityReport.TestCommand("Edge.Domain.Tests", nameof(
                Every_control_message_parses_once_and_refuses_a_repeated_member)),
            "refused naming the message and the member",
            error.Message,
            error.Message.Contains(member, StringComparison.Ordinal));
    }

    [Fact]
    public void A_repeated_member_inside_a_nested_object_is_refused_too()
    {
        var spec = Edge.Domain.Simulation.PhysicalSystems.Get("electronic").Spec.ToJson();
        var nested = spec[..^1] + ",\"name\":\"again\"}";
        var json = "{\"schemaVersion\":1,\"deviceId\":\"a\",\"state\":\"online\"," + Time + ",\"spec\":" + nested + "}";
        var error = Assert.Throws<MessageFormatException>(() => Parse("StatusMessage", json));
        Assert.Contains("name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_versions_are_numbers_everywhere_and_absent_when_unknown()
    {
        var status = Encoding.UTF8.GetString(ControlJson.Serialize(
            new StatusMessage { DeviceId = "a", State = StatusMessage.Online, Timestamp = Epoch, ModelVersion = 7 },
            MessagingJsonContext.Default.StatusMessage));
        Assert.Contains("\"modelVersion\":7", status, StringComparison.Ordinal);
        var inference = Encoding.UTF8.GetString(ControlJson.Serialize(
            new InferenceMessage { DeviceId = "a", ClassIndex = 0, Confidence = 1, LatencyMs = 1, ModelVersion = 7,
                Timestamp = Epoch },
            MessagingJsonContext.Default.InferenceMessage));
        Assert.Contains("\"modelVersion\":7", inference, StringComparison.Ordinal);

        var noModel = Encoding.UTF8.GetString(ControlJson.Serialize(
            new StatusMessage { DeviceId = "a", State = StatusMessage.Online, Timestamp = DateTimeOffset.UnixEpoch },
            MessagingJsonContext.Default.StatusMessage));
        Assert.DoesNotContain("modelVersion", noModel, StringComparison.Ordinal);

        // A string where a number belongs is a type error, not a silent conversion.
        var error = Assert.Throws<MessageFormatException>(() => Parse(
            "InferenceMessage",
            Head + "\"classIndex\":1,\"confidence\":0.5,\"latencyMs\":2,\"modelVersion\":\"4\"," + Time + "}"));
        Assert.Contains("modelVersion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_will_carries_no_timestamp_and_still_parses()
    {
        var will = ControlJson.Serialize(
            new StatusMessage { DeviceId = "a", State = StatusMessage.Offline },
                MessagingJsonContext.Default.StatusMessage);
        Assert.DoesNotContain("timestamp", Encoding.UTF8.GetString(will), StringComparison.Ordinal);
        var parsed = ControlJson.Parse(will, MessagingJsonContext.Default.StatusMessage);
        Assert.Equal((StatusMessage.Offline, (DateTimeOffset?)null), (parsed.State, parsed.Timestamp));
    }

    public static TheoryData<string, byte[]> ValidFrames => new()
    {
        { "measurement batch", new MeasurementBatch(1, 1, 1, [Guid.NewGuid()], [1], [0.5f], [0.25f], [1f]).Encode() },
        { "PAT request", PatFrames.EncodeRequest([0.5f, 0.25f], 2) },
        { "PAT reply", PatFrames.EncodeReply([0.5f, 0.25f], 2) },
        { "PAT reply", PatFrames.EncodeErrorReply("busy") },
        { "model offer", new ModelOffer(Guid.NewGuid(), new byte[] { 1, 2, 3 }).Encode() },
    };

    [Theory]
    [Trait("Category", "Security")]
    [MemberData(nameof(ValidFrames))]
    public void A_version_1_frame_with_any_flag_set_is_refused_naming_the_frame_and_the_flags(string what, byte[] frame)
    {
        Decode(frame);
        var refusals = new List<string>();
        foreach (var flags in new byte[] { 0x01, 0x80, 0xFF })
        {
            var flagged = Recrc(frame, f => f[3] = flags);
            var error = Assert.Throws<MessageFormatException>(() => Decode(flagged));
            Assert.StartsWith(what, error.Message, StringComparison.Ordinal);
            Assert.Contains($"flags byte 0x{flags:X2}", error.Message, StringComparison.Ordinal);
            refusals.Add(error.Message);
        }

        var magic = $"{(char)frame[0]}{(char)frame[1]}";
        SecurityReport.Record(
            $"strict-flags-{magic}-{frame.Length}",
            $"Non-zero flags byte (0x01, 0x80, 0xFF) in a {what} frame ({magic}, {frame.Length} bytes, valid CRC)",
            SecurityReport.TestCommand("Edge.Domain.Tests", nameof(
                A_version_1_frame_with_any_flag_set_is_refused_naming_the_frame_and_the_flags)),
            "all 3 refused naming the frame and the flags",
            $"{refusals.Count} refused, e.g. \"{refusals[^1]}\"",
            refusals.Count == 3);
    }

    [Theory]
    [InlineData("measurement batch", 4 + 10)]
    [InlineData("PAT request", 4 + 6)]
    [InlineData("PAT reply", 4 + 1)]
    [InlineData("PAT reply error", 4 + 1)]
    public void A_reserved_field_that_is_not_zero_is_refused(string frameName, int reservedOffset)
    {
        var frame = frameName switch
        {
            "measurement batch" => new MeasurementBatch(1, 1, 1, [Guid.NewGuid()], [1], [0.5f], [0.25f], [1f]).Encode(),
            "PAT request" => PatFrames.EncodeRequest([0.5f, 0.25f], 2),
            "PAT reply" => PatFrames.EncodeReply([0.5f, 0.25f], 2),
            _ => PatFrames.EncodeErrorReply("busy"),
        };
        var error = Assert.Throws<MessageFormatException>(() => Decode(Recrc(frame, f => f[reservedOffset] = 1)));
        Assert.Contains("reserved field", error.Message, StringComparison.Ordinal);
        Assert.Contains("is 1, must be 0", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Recrc(byte[] frame, Action<byte[]> edit)
    {
        var copy = (byte[])frame.Clone();
        edit(copy);
        var crc = System.IO.Hashing.Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4));
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), crc);
        return copy;
    }

    private static void Decode(byte[] frame)
    {
        switch ((char)frame[0], (char)frame[1])
        {
            case ('E', 'M'):
                MeasurementBatch.Decode(frame);
                break;
            case ('E', 'D'):
                PatFrames.DecodeRequest(frame, out _);
                break;
            case ('E', 'R'):
                PatFrames.DecodeReply(frame, new float[2], 2);
                break;
            default:
                ModelOffer.Decode(frame);
                break;
        }
    }

    private static void Parse(string type, string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        _ = type switch
        {
            "StatusMessage" => Parse(utf8, MessagingJsonContext.Default.StatusMessage),
            "ErrorMessage" => Parse(utf8, MessagingJsonContext.Default.ErrorMessage),
            "ModelAckMessage" => Parse(utf8, MessagingJsonContext.Default.ModelAckMessage),
            "InferenceMessage" => Parse(utf8, MessagingJsonContext.Default.InferenceMessage),
            "InferenceRequestMessage" => Parse(utf8, InferenceJsonContext.Default.InferenceRequestMessage),
            "InferenceReplyMessage" => (object)Parse(utf8, InferenceJsonContext.Default.InferenceReplyMessage),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown control message"),
        };
    }

    private static object Parse<T>(byte[] utf8, JsonTypeInfo<T> typeInfo)
        where T : IControlMessage => ControlJson.Parse(utf8, typeInfo);
}
