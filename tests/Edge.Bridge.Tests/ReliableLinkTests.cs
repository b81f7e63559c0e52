using Edge.Bridge.Protocol;
using FsCheck.Xunit;

namespace Edge.Bridge.Tests;

public sealed class ReliableLinkTests
{
    private const int MessageCount = 150;

    public static TheoryData<string, ChannelFaults> FaultKinds => new()
    {
        { "clean", ChannelFaults.None },
        { "drop", new ChannelFaults(Drop: 0.25) },
        { "duplicate", new ChannelFaults(Duplicate: 0.3) },
        { "reorder", new ChannelFaults(Reorder: 0.3) },
        { "corrupt", new ChannelFaults(Corrupt: 0.25) },
        { "reset mid-frame", new ChannelFaults(ResetMidFrame: 0.25) },
        { "everything", ChannelFaults.All(0.08) },
    };

    [Theory]
    [MemberData(nameof(FaultKinds))]
    public void Every_message_arrives_exactly_once_and_in_order_both_ways(string faultName, ChannelFaults faults)
    {
        var outcome = Simulate(faults, seed: faultName.Length * 7919,
            new LinkOptions { RetryLimit = 20, RetransmitTimeoutMs = 40 });

        outcome.AssertDeliveredExactlyOnceInOrder();
        var host = outcome.Host.Link;
        var device = outcome.Device.Link;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{faultName}: {outcome.ElapsedMs} ms, faults {outcome.FaultsInjected}, frames "
                + $"{host.FramesSent}+{device.FramesSent}, " +
            $"retransmissions {host.Retransmissions}+{device.Retransmissions}, duplicates "
                + $"{host.DuplicatesSuppressed}+{device.DuplicatesSuppressed}, " +
            $"held {host.OutOfOrderHeld}+{device.OutOfOrderHeld}, bad frames "
                + $"{host.BadFramesReceived}+{device.BadFramesReceived}");
        if (faults == ChannelFaults.None)
        {
            Assert.Equal(0,
                host.Retransmissions + device.Retransmissions + host.BadFramesReceived + device.BadFramesReceived);
            return;
        }

        Assert.True(outcome.FaultsInjected > 0);
        if (faults.Drop > 0 || faults.Corrupt > 0 || faults.ResetMidFrame > 0)
        {
            Assert.True(host.Retransmissions + device.Retransmissions > 0);
        }

        if (faults.Corrupt > 0 || faults.ResetMidFrame > 0)
        {
            Assert.True(host.BadFramesReceived + device.BadFramesReceived > 0);
        }

        if (faults.Duplicate > 0)
        {
            Assert.True(host.DuplicatesSuppressed + device.DuplicatesSuppressed > 0);
        }

        if (faults.Reorder > 0)
        {
            Assert.True(host.OutOfOrderHeld + device.OutOfOrderHeld > 0);
        }
    }

    [Property(MaxTest = 25)]
    public void Random_fault_mixes_deliver_exactly_once_in_order(int seed, byte dropPercent, byte corruptPercent)
    {
        var faults = new ChannelFaults(
            Drop: dropPercent % 20 / 100.0,
            Duplicate: 0.1,
            Reorder: 0.1,
            Corrupt: corruptPercent % 20 / 100.0,
            ResetMidFrame: 0.05);
        var outcome = Simulate(faults, seed,
            new LinkOptions { RetryLimit = 25, RetransmitTimeoutMs = 40, WindowSize = 1 + ((seed & 0x7FFF) % 8) });
        outcome.AssertDeliveredExactlyOnceInOrder();
    }

    [Fact]
    public void Sequence_numbers_wrap_around_without_loss_or_reordering()
    {
        var options = new LinkOptions { RetryLimit = 20, RetransmitTimeoutMs = 40, InitialSequence = 65500 };
        var outcome = Simulate(ChannelFaults.All(0.05), seed: 11, options);
        outcome.AssertDeliveredExactlyOnceInOrder();
    }

    [Fact]
    public void Link_gives_up_after_the_retry_limit_with_a_clear_reason()
    {
        var options = new LinkOptions { RetryLimit = 3, RetransmitTimeoutMs = 50 };
        var host = new LinkEndpoint(new LossyChannel(new ChannelFaults(Drop: 1.0), 1), options);
        Assert.True(host.Link.TrySend(new SetSafeMessage(0, 0x0800), 0));

        var failedAt = -1L;
        for (long t = 0; t <= 1000 && failedAt < 0; t++)
        {
            host.Step(t);
            failedAt = host.Link.HasFailed ? t : -1;
        }

        // 50 ms, then doubled on each expiry (RFC 6298 backoff): 50 + 100 + 200 + 400.
        Assert.Equal(750, failedAt);
        Assert.Equal(4, host.Output.FramesWritten);
        var reason = Assert.Single(host.Failures);
        Assert.Equal(
            "sequence 0 (SetSafe) was not acknowledged after 4 transmissions (retry limit 3, last timeout 400 ms after "
            + "it left the line)",
            reason);
        Assert.Equal(reason, host.Link.FailureReason);
        var thrown = Assert.Throws<InvalidOperationException>(() => host.Link.TrySend(new SetSafeMessage(0, 0), 300));
        Assert.Contains(reason, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_send_window_limits_frames_in_flight_until_acks_arrive()
    {
        var options = new LinkOptions { WindowSize = 3 };
        var toDevice = new LossyChannel(ChannelFaults.None, 1);
        var toHost = new LossyChannel(ChannelFaults.None, 2);
        var host = new LinkEndpoint(toDevice, options);
        var device = new LinkEndpoint(toHost, options);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(host.Link.TrySend(new SetSafeMessage(0, (ushort)i), 0));
        }

        Assert.False(host.Link.CanSend);
        Assert.False(host.Link.TrySend(new SetSafeMessage(0, 3), 0));
        Assert.Equal(3, host.Link.InFlight);

        toDevice.DeliverDue(10, device.Link);
        toHost.DeliverDue(10, host.Link);
        Assert.Equal(0, host.Link.InFlight);
        Assert.True(host.Link.TrySend(new SetSafeMessage(0, 3), 10));
        Assert.Equal(3, device.Received.Count);
    }

    [Fact]
    public void A_frame_of_another_version_is_answered_with_a_wrong_version_nack_and_the_sender_fails()
    {
        var toHost = new LossyChannel(ChannelFaults.None, 1);
        var device = new LinkEndpoint(toHost, new LinkOptions());
        var recorder = new RecordingLink();
        var futureFrame = FrameCodec.EncodeWire(new Frame(2, MessageType.SetSafe, 0, 0, FrameFlags.Sync, [0, 0, 8]),
            256);

        device.Link.Receive(futureFrame, 0, futureFrame.Length, 0);
        toHost.DeliverDue(10, recorder.Link);

        Assert.Empty(device.Received);
        Assert.Equal(1, device.Link.BadFramesReceived);
        Assert.Equal("peer speaks protocol version 1, this side 1", recorder.Failure);
    }

    [Fact]
    public void A_well_sealed_frame_with_a_malformed_payload_is_nacked_and_the_sender_fails_instead_of_retrying()
    {
        var toHost = new LossyChannel(ChannelFaults.None, 1);
        var device = new LinkEndpoint(toHost, new LinkOptions());
        var recorder = new RecordingLink();
        var badSetSafe = FrameCodec.EncodeWire(new Frame(1, MessageType.SetSafe, 12, 0, FrameFlags.Sync, [0, 8]), 256);

        device.Link.Receive(badSetSafe, 0, badSetSafe.Length, 0);
        toHost.DeliverDue(10, recorder.Link);

        Assert.Empty(device.Received);
        Assert.Equal("peer rejected sequence 12: InvalidPayload", recorder.Failure);
    }

    [Fact]
    public void Oversize_messages_are_refused_before_they_reach_the_wire()
    {
        var host = new LinkEndpoint(new LossyChannel(ChannelFaults.None, 1), new LinkOptions());
        var error = Assert.Throws<ProtocolException>(()
            => host.Link.TrySend(new PlayAndCaptureMessage(0, 0, 0, 1000, 1, 0, new ushort[143]), 0));
        Assert.Equal("payload length 300 exceeds max 256", error.Message);
        Assert.Equal(0, host.Output.FramesWritten);
        Assert.Throws<ArgumentException>(() => host.Link.TrySend(AckMessage.Instance, 0));
    }

    [Fact]
    public void A_negotiated_payload_limit_admits_larger_messages_but_only_with_nothing_in_flight()
    {
        var toDevice = new LossyChannel(ChannelFaults.None, 1);
        var host = new ReliableLink(toDevice, new RecordingLink(), new LinkOptions());
        var device = new LinkEndpoint(new LossyChannel(ChannelFaults.None, 2), new LinkOptions());
        var large = new PlayAndCaptureMessage(0, 0, 0, 1000, 1, 0, new ushort[143]);

        host.SetMaxPayload(512);
        device.Link.SetMaxPayload(512);
        Assert.True(host.TrySend(large, 0));
        toDevice.DeliverDue(10, device.Link);

        Assert.Equal(300, Assert.Single(device.Received).PayloadLength);
        Assert.Throws<InvalidOperationException>(() => host.SetMaxPayload(256));
        Assert.Throws<ProtocolException>(() => host.SetMaxPayload(32));
    }

    [Fact]
    public void A_restarted_peer_with_a_new_initial_sequence_opens_a_new_session()
    {
        var toDevice = new LossyChannel(ChannelFaults.None, 1);
        var toHost = new LossyChannel(ChannelFaults.None, 2);
        var device = new LinkEndpoint(toHost, new LinkOptions());
        var firstHost = new ReliableLink(toDevice, new RecordingLink(), new LinkOptions { InitialSequence = 100 });
        var restartedHost = new ReliableLink(toDevice, new RecordingLink(),
            new LinkOptions { InitialSequence = 40000 });

        firstHost.TrySend(new SetSafeMessage(0, 1), 0);
        firstHost.TrySend(new SetSafeMessage(0, 2), 0);
        toDevice.DeliverDue(10, device.Link);
        restartedHost.TrySend(new SetSafeMessage(0, 3), 20);
        toDevice.DeliverDue(30, device.Link);

        Assert.Equal([1, 2, 3], device.Received.Select(m => (int)((SetSafeMessage)m).Code));
    }

    [Fact]
    public void An_idle_link_sends_heartbeats_at_the_configured_interval()
    {
        var toDevice = new LossyChannel(ChannelFaults.None, 1);
        var host = new ReliableLink(toDevice, new RecordingLink(), new LinkOptions { HeartbeatIntervalMs = 100 });
        var device = new RecordingLink();
        for (long t = 0; t <= 1000; t++)
        {
            host.Poll(t);
            toDevice.NowMs = t;
            toDevice.DeliverDue(t, device.Link);
        }

        toDevice.DeliverDue(2000, device.Link);
        Assert.Equal(10, toDevice.FramesWritten);
        Assert.Equal(10, device.Heartbeats);
        Assert.Equal(2000, device.Link.LastReceivedMs);
    }

    private static SimulationOutcome Simulate(ChannelFaults faults, int seed, LinkOptions options)
    {
        var host = new LinkEndpoint(new LossyChannel(faults, seed), options);
        var device = new LinkEndpoint(new LossyChannel(faults, seed + 1), options);

        // The device answers every request with a result, so both directions carry reliable traffic.
        device.OnReliableMessage = (endpoint, message) =>
        {
            var request = (PlayAndCaptureMessage)message;
            endpoint.Enqueue(new CaptureResultMessage(request.CaptureId, request.CaptureChannel, CaptureKind.Binned, 2,
                0, [request.GetSegmentCode(0), request.GetSegmentCode(1)]));
        };
        for (var i = 0; i < MessageCount; i++)
        {
            host.Enqueue(new PlayAndCaptureMessage((ushort)i, 0, 1, 1_000_000, 10, 2, [(ushort)i, (ushort)(i * 3)]));
        }

        long t = 0;
        for (; t < 600_000 && !(host.Idle && device.Idle && host.Received.Count == MessageCount); t++)
        {
            host.Step(t);
            device.Step(t);
            host.Output.DeliverDue(t, device.Link);
            device.Output.DeliverDue(t, host.Link);
            if (host.Failures.Count + device.Failures.Count > 0)
            {
                break;
            }
        }

        return new SimulationOutcome(host, device, t);
    }

    private sealed record SimulationOutcome(LinkEndpoint Host, LinkEndpoint Device, long ElapsedMs)
    {
        public int FaultsInjected => Host.Output.FaultsInjected + Device.Output.FaultsInjected;

        public void AssertDeliveredExactlyOnceInOrder()
        {
            Assert.Empty(Host.Failures);
            Assert.Empty(Device.Failures);
            Assert.Equal(Enumerable.Range(0, MessageCount),
                Device.Received.Select(m => (int)((PlayAndCaptureMessage)m).CaptureId));
            Assert.Equal(Enumerable.Range(0, MessageCount),
                Host.Received.Select(m => (int)((CaptureResultMessage)m).CaptureId));
            Assert.All(Host.Received,
                m => Assert.Equal(((CaptureResultMessage)m).CaptureId * 3 % 65536,
                    ((CaptureResultMessage)m).GetValue(1)));
            Assert.Equal(MessageCount, Device.Link.MessagesDelivered);
        }
    }
}

/// <summary>A link whose output goes nowhere; records what it receives and why it failed.</summary>
public sealed class RecordingLink : ILinkListener, IByteSink
{
    public RecordingLink()
    {
        Link = new ReliableLink(this, this, new LinkOptions());
    }

    public ReliableLink Link { get; }

    public string? Failure { get; private set; }

    public int Heartbeats { get; private set; }

    public void OnMessage(Message message) => Heartbeats += message.Type == MessageType.Heartbeat ? 1 : 0;

    public void OnLinkFailed(string reason) => Failure = reason;

    public void Write(byte[] buffer, int offset, int count)
    {
    }
}
