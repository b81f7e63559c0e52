using Edge.Domain.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Domain.Tests.Messaging;

/// <summary>JSON control messages and the topic scheme.</summary>
public sealed class ControlMessageTests
{
    [Fact]
    public void A_status_with_its_layer_spec_round_trips()
    {
        var spec = PhysicalSystems.Get("electronic").Spec;
        var status = new StatusMessage { DeviceId = "a-1", State = StatusMessage.Online,
            Timestamp = DateTimeOffset.UnixEpoch, System = "electronic", Spec = spec };
        var parsed = ControlJson.Parse(ControlJson.Serialize(status, MessagingJsonContext.Default.StatusMessage),
            MessagingJsonContext.Default.StatusMessage);
        Assert.Equal(spec.ToJson(), parsed.Spec!.ToJson());
        Assert.Equal(("a-1", StatusMessage.Online, 1), (parsed.DeviceId, parsed.State, parsed.SchemaVersion));
    }

    [Fact]
    public void A_measurement_ack_round_trips_its_batch_ids_in_order()
    {
        var ids = new[] { Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() };
        var ack = new MeasurementAckMessage { DeviceId = "a-1", BatchIds = ids, Timestamp = DateTimeOffset.UnixEpoch };
        var json = ControlJson.Serialize(ack, MessagingJsonContext.Default.MeasurementAckMessage);
        var parsed = ControlJson.Parse(json, MessagingJsonContext.Default.MeasurementAckMessage);
        Assert.Equal(ids, parsed.BatchIds);
        Assert.Equal(("a-1", 1), (parsed.DeviceId, parsed.SchemaVersion));
        var error = Assert.Throws<MessageFormatException>(() => ControlJson.Parse(
            "{\"schemaVersion\":1,\"deviceId\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\"}"u8,
            MessagingJsonContext.Default.MeasurementAckMessage));
        Assert.StartsWith("MeasurementAckMessage", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "invalid JSON")]
    [InlineData("null", "JSON null")]
    [InlineData(
        "{\"schemaVersion\":1,\"deviceId\":\"a\",\"offerId\":\"00000000-0000-0000-0000-000000000000\","
        + "\"accepted\":true,\"reason\":\"x\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"extra\":1}",
        "extra")]
    [InlineData(
        "{\"schemaVersion\":2,\"deviceId\":\"a\",\"offerId\":\"00000000-0000-0000-0000-000000000000\","
        + "\"accepted\":true,\"reason\":\"x\",\"timestamp\":\"2026-01-01T00:00:00Z\"}",
        "schema version 2")]
    [InlineData("{\"schemaVersion\":1,\"deviceId\":\"a\"}", "invalid JSON")]
    [InlineData(
        "{\"schemaVersion\":1,\"deviceId\":\"a\",\"offerId\":\"nope\",\"accepted\":true,\"reason\":\"x\","
        + "\"timestamp\":\"2026-01-01T00:00:00Z\"}",
        "offerId")]
    public void A_malformed_control_message_is_rejected_naming_the_problem(string json, string expected)
    {
        var error = Assert.Throws<MessageFormatException>(()
            => ControlJson.Parse(System.Text.Encoding.UTF8.GetBytes(json),
                MessagingJsonContext.Default.ModelAckMessage));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("ModelAckMessage", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TopicKind.Status, "edge/v1/dev-1/status")]
    [InlineData(TopicKind.Measurements, "edge/v1/dev-1/measurements")]
    [InlineData(TopicKind.PatRequest, "edge/v1/dev-1/pat/request")]
    [InlineData(TopicKind.ModelOffer, "edge/v1/dev-1/model/offer")]
    [InlineData(TopicKind.ModelAck, "edge/v1/dev-1/model/ack")]
    [InlineData(TopicKind.Inference, "edge/v1/dev-1/inference")]
    [InlineData(TopicKind.Errors, "edge/v1/dev-1/errors")]
    [InlineData(TopicKind.ModelRollback, "edge/v1/dev-1/model/rollback")]
    [InlineData(TopicKind.MeasurementAck, "edge/v1/dev-1/measurements/ack")]
    [InlineData(TopicKind.Environment, "edge/v1/dev-1/control/environment")]
    public void Topics_are_built_and_parsed_back(TopicKind kind, string topic)
    {
        Assert.Equal(topic, EdgeTopics.For("dev-1", kind));
        Assert.Equal(kind, EdgeTopics.Parse(topic, out var device));
        Assert.Equal("dev-1", device);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a+")]
    [InlineData("#")]
    [InlineData("_requesters")]
    [InlineData("päd")]
    public void Device_ids_that_would_break_the_topic_scheme_are_refused(string id)
    {
        var error = Assert.Throws<ArgumentException>(() => EdgeTopics.For(id, TopicKind.Status));
        Assert.Contains("not usable in an MQTT topic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("edge/v1/dev-1/unknown")]
    [InlineData("edge/v2/dev-1/status")]
    [InlineData("edge/v1/a+b/status")]
    [InlineData("edge/v1/_requesters/x/pat/response")]
    [InlineData("other")]
    public void Foreign_topics_parse_as_unknown(string topic)
        => Assert.Equal(TopicKind.Unknown, EdgeTopics.Parse(topic, out _));
}
