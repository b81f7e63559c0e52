using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Integration.Tests;

/// <summary>Every kind of bad input on the agent's topics is answered on its errors topic; the agent keeps
/// serving.</summary>
public sealed class MalformedMessageTests
{
    private const string Device = "fault-agent";

    [Fact]
    public async Task Malformed_messages_on_every_topic_are_answered_on_errors_and_the_agent_keeps_serving()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var agent = await AgentInstance.StartAsync(broker.Port, Device, folder.Path("outbox.db"));
        var errors = EdgeTopics.For(Device, TopicKind.Errors);
        var replies = EdgeTopics.PatResponse("tester");
        await using var client = await TopicRecorder.ConnectAsync(broker.Port, errors, replies,
            EdgeTopics.For(Device, TopicKind.ModelAck));
        var pat = EdgeTopics.For(Device, TopicKind.PatRequest);
        var offer = EdgeTopics.For(Device, TopicKind.ModelOffer);
        var spec = agent.Services.GetRequiredService<Edge.Domain.Devices.IPhysicalDevice>().Spec;
        var good = PatFrames.EncodeRequest(PatLoopTests.Drives(spec, 2, seed: 4), spec.DriveLength);
        var badCrc = (byte[])good.Clone();
        badCrc[10] ^= 0x40;
        var wrongLength = PatFrames.EncodeRequest(new float[spec.DriveLength + 1], spec.DriveLength + 1);
        var nan = PatFrames.EncodeRequest(Enumerable.Repeat(float.NaN, spec.DriveLength).ToArray(), spec.DriveLength);
        var cases = new (string Topic, byte[] Payload, string? ResponseTopic, string Expect)[]
        {
            (pat, [], replies, "shorter than"),
            (pat, good[..^3], replies, "CRC-32"),
            (pat, badCrc, replies, "CRC-32"),
            (pat, "{\"json\":true}"u8.ToArray(), replies, "magic"),
            (pat, wrongLength, replies, "drive length"),
            (pat, ReVersioned(good), replies, "version"),
            (pat, nan, replies, "finite"),
            (pat, good, null, "response topic"),
            (offer, [0xFF, 0x00, 0x01], null, "model offer"),
            (offer, good, null, "magic"),
        };
        var id = 0;
        foreach (var (topic, payload, responseTopic, _) in cases)
        {
            await client.PublishAsync(topic, payload, responseTopic, correlation: BitConverter.GetBytes(id++));
        }

        await Eventually.TrueAsync(() => client.On(errors).Count() == cases.Length, $"{cases.Length} error reports");
        var reports = client.On(errors)
            .Select(m => ControlJson.Parse(TopicRecorder.Payload(m), MessagingJsonContext.Default.ErrorMessage))
                .ToList();
        for (var i = 0; i < cases.Length; i++)
        {
            var report = Assert.Single(reports,
                r => r.CorrelationData == Convert.ToHexString(BitConverter.GetBytes(i)));
            Assert.Equal(cases[i].Topic, report.Topic);
            Assert.Contains(cases[i].Expect, report.Problem, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(Device, report.DeviceId);
        }

        // The requester of a rejected PAT request also gets a refusal on its response topic, not silence.
        await Eventually.TrueAsync(() => client.On(replies).Count() == 7, "7 PAT refusals");
        foreach (var refusal in client.On(replies))
        {
            Assert.NotNull(PatFrames.DecodeReply(TopicRecorder.Payload(refusal), new float[spec.OutputSize * 2],
                spec.OutputSize));
        }

        Assert.Equal(cases.Length,
            agent.Metrics.Rejected.WithLabels(nameof(TopicKind.PatRequest)).Value
                + agent.Metrics.Rejected.WithLabels(nameof(TopicKind.ModelOffer)).Value);

        // Still serving: a good request is answered with measured responses.
        await using var remote = await Edge.Trainer.Live.RemoteDevice.ConnectAsync(PatLoopTests.Remote(broker.Port,
            Device), cancellationToken: TestContext.Current.CancellationToken);
        var responses = new float[2 * spec.OutputSize];
        await remote.ForwardAsync(PatLoopTests.Drives(spec, 2, seed: 4), responses,
            TestContext.Current.CancellationToken);
        Assert.Contains(responses, r => r != 0);
        Assert.True(agent.Mqtt.IsConnected);
    }

    [Fact]
    public async Task Model_offers_reach_the_registered_handler_and_are_acknowledged()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var handler = new RecordingOfferHandler();
        await using var agent = await AgentInstance.StartAsync(broker.Port, Device, folder.Path("outbox.db"),
            configure: s => s.AddSingleton<IModelOfferHandler>(handler));
        var acks = EdgeTopics.For(Device, TopicKind.ModelAck);
        await using var client = await TopicRecorder.ConnectAsync(broker.Port, acks);
        var accepted = new ModelOffer(Guid.NewGuid(), "package-v2"u8.ToArray());
        var rejected = new ModelOffer(Guid.NewGuid(), "bad"u8.ToArray());
        await client.PublishAsync(EdgeTopics.For(Device, TopicKind.ModelOffer), accepted.Encode());
        await client.PublishAsync(EdgeTopics.For(Device, TopicKind.ModelOffer), rejected.Encode());

        await Eventually.TrueAsync(() => client.On(acks).Count() == 2, "two acks");
        var answers = client.On(acks)
            .Select(m => ControlJson.Parse(TopicRecorder.Payload(m), MessagingJsonContext.Default.ModelAckMessage))
                .ToDictionary(a => a.OfferId);
        Assert.True(answers[accepted.OfferId].Accepted);
        Assert.Equal("installed package-v2", answers[accepted.OfferId].Reason);
        Assert.False(answers[rejected.OfferId].Accepted);
        Assert.Equal("signature does not verify", answers[rejected.OfferId].Reason);
        Assert.Equal("package-v2"u8.ToArray(), handler.Packages[0]);
    }

    private static byte[] ReVersioned(byte[] frame)
    {
        // A frame from a future format version with a valid CRC: the version check, not the CRC, must catch it.
        var copy = (byte[])frame.Clone();
        copy[2] = 9;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4),
            System.IO.Hashing.Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    private sealed class RecordingOfferHandler : IModelOfferHandler
    {
        public List<byte[]> Packages { get; } = [];

        public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
        {
            var text = System.Text.Encoding.UTF8.GetString(offer.Package.Span);
            if (text == "bad")
            {
                return ValueTask.FromResult(new ModelOfferResult(false, "signature does not verify"));
            }

            Packages.Add(offer.Package.ToArray());
            return ValueTask.FromResult(new ModelOfferResult(true, "installed " + text));
        }
    }
}
