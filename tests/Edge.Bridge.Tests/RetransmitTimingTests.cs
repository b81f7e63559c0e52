using Edge.Bridge.Protocol;

namespace Edge.Bridge.Tests;

/// <summary>The retransmission timeout: airtime at the baud rate plus the measured round trip (RFC 6298).</summary>
public sealed class RetransmitTimingTests
{
    private const int Requests = 40;
    private const int Segments = 480;

    [Theory]
    [InlineData(115_200)]
    [InlineData(230_400)]
    [InlineData(921_600)]
    public void Full_payload_frames_both_ways_at_the_line_rate_arrive_without_giving_up(int baud)
    {
        var outcome = Simulate(baud, new LinkOptions { BaudRate = baud, WindowSize = 8, RetryLimit = 5 });

        Assert.Empty(outcome.Host.Failures);
        Assert.Empty(outcome.Device.Failures);
        Assert.Equal(Requests, outcome.Host.Received.Count);

        // The peer's acks wait behind its own full-size frames, so round trips vary by a window of airtimes; RTTVAR
        // and backoff keep the spurious retransmissions of the 2 × 40 frames well under one in three.
        var retransmissions = outcome.Host.Link.Retransmissions + outcome.Device.Link.Retransmissions;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{baud} baud: {outcome.ElapsedMs} ms, retransmissions {retransmissions}, host SRTT "
            + $"{outcome.Host.Link.SmoothedRoundTripMs} ms ± {outcome.Host.Link.RoundTripVariationMs}, device SRTT "
            + $"{outcome.Device.Link.SmoothedRoundTripMs} ms ± {outcome.Device.Link.RoundTripVariationMs}");
        Assert.True(retransmissions <= 25, $"{retransmissions} retransmissions");
    }

    [Fact]
    public void A_timeout_blind_to_the_line_rate_fails_the_same_traffic_at_115200_baud()
    {
        // What the fixed 50 ms timer did: it counts from the write, not from when the frame has left the line.
        var outcome = Simulate(
            115_200,
            new LinkOptions { WindowSize = 8, RetryLimit = 5, MaxRetransmitTimeoutMs = 50 });

        Assert.NotEmpty(outcome.Host.Failures.Concat(outcome.Device.Failures));
    }

    [Fact]
    public void The_timeout_follows_the_measured_round_trip_and_backs_off_until_a_fresh_sample()
    {
        var toDevice = new LossyChannel(ChannelFaults.None, 1);
        var host = new LinkEndpoint(toDevice, new LinkOptions { MinRetransmitTimeoutMs = 5, WindowSize = 8 });
        var device = new LinkEndpoint(new LossyChannel(ChannelFaults.None, 2), new LinkOptions());
        Assert.Equal(50, host.Link.RetransmitTimeoutMs);
        Assert.Equal(-1, host.Link.SmoothedRoundTripMs);

        // Steady 30 ms round trips: SRTT converges to 30, the timeout to SRTT + 4·RTTVAR, shrinking as RTTVAR decays.
        long t = 0;
        for (var i = 0; i < 40; i++, t += 100)
        {
            Assert.True(host.Link.TrySend(new SetSafeMessage(0, (ushort)i), t));
            toDevice.DeliverDue(t + 30, device.Link);
            device.Output.DeliverDue(t + 30, host.Link);
        }

        Assert.Equal(0, host.Link.Retransmissions);
        Assert.InRange(host.Link.SmoothedRoundTripMs, 27, 30);
        Assert.InRange(host.Link.RetransmitTimeoutMs, 30, 40);
        var settled = host.Link.RetransmitTimeoutMs;

        // Silence: each expiry doubles the timeout.
        toDevice.NowMs = t;
        Assert.True(host.Link.TrySend(new SetSafeMessage(0, 99), t));
        var expiries = new List<long>();
        for (var now = t; expiries.Count < 3; now++)
        {
            var before = host.Link.Retransmissions;
            host.Link.Poll(now);
            if (host.Link.Retransmissions > before)
            {
                expiries.Add(now - t);
            }
        }

        Assert.Equal([settled, settled * 3, settled * 7], expiries);
        Assert.Equal(settled * 8, host.Link.RetransmitTimeoutMs);

        // Karn: the ack of a retransmitted frame gives no sample, so the backoff stays ...
        var now2 = t + (settled * 7) + 10;
        toDevice.DeliverDue(now2, device.Link);
        device.Output.DeliverDue(now2, host.Link);
        Assert.Equal(0, host.Link.InFlight);
        Assert.Equal(settled * 8, host.Link.RetransmitTimeoutMs);

        // ... until a frame sent once is acknowledged.
        toDevice.NowMs = now2;
        Assert.True(host.Link.TrySend(new SetSafeMessage(0, 100), now2));
        toDevice.DeliverDue(now2 + 30, device.Link);
        device.Output.DeliverDue(now2 + 30, host.Link);
        Assert.InRange(host.Link.RetransmitTimeoutMs, 30, 40);
    }

    [Fact]
    public void Bounds_hold_the_timeout_between_the_minimum_and_the_maximum()
    {
        var toDevice = new LossyChannel(ChannelFaults.None, 1);
        var options = new LinkOptions { MinRetransmitTimeoutMs = 15, MaxRetransmitTimeoutMs = 120 };
        var host = new LinkEndpoint(toDevice, options);
        var device = new LinkEndpoint(new LossyChannel(ChannelFaults.None, 2), new LinkOptions());
        for (var i = 0; i < 20; i++)
        {
            Assert.True(host.Link.TrySend(new SetSafeMessage(0, (ushort)i), i * 10));
            toDevice.DeliverDue(i * 10, device.Link);
            device.Output.DeliverDue(i * 10, host.Link);
        }

        Assert.Equal(15, host.Link.RetransmitTimeoutMs);
        Assert.True(host.Link.TrySend(new SetSafeMessage(0, 0), 1000));
        for (long now = 1000; now < 3000; now++)
        {
            host.Link.Poll(now);
        }

        Assert.Equal(120, host.Link.RetransmitTimeoutMs);
        Assert.Throws<ArgumentException>(
            () => new ReliableLink(toDevice, new RecordingLink(), new LinkOptions { MinRetransmitTimeoutMs = 0 }));
        Assert.Throws<ArgumentException>(() => new ReliableLink(
            toDevice,
            new RecordingLink(),
            new LinkOptions { MinRetransmitTimeoutMs = 50, MaxRetransmitTimeoutMs = 40 }));
    }

    private static Outcome Simulate(int baud, LinkOptions options)
    {
        var host = new LinkEndpoint(new LossyChannel(ChannelFaults.None, 1, baud), options);
        var device = new LinkEndpoint(new LossyChannel(ChannelFaults.None, 2, baud), options);
        host.Link.SetMaxPayload(1024);
        device.Link.SetMaxPayload(1024);
        device.OnReliableMessage = (endpoint, message) =>
        {
            var request = (PlayAndCaptureMessage)message;
            var values = new ushort[Segments];
            endpoint.Enqueue(new CaptureResultMessage(request.CaptureId, 0, CaptureKind.Binned, Segments, 0, values));
        };
        for (var i = 0; i < Requests; i++)
        {
            host.Enqueue(new PlayAndCaptureMessage((ushort)i, 0, 0, 1_000_000, 1, 0, new ushort[Segments]));
        }

        long t = 0;
        for (; t < 120_000 && host.Received.Count < Requests; t++)
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

        return new Outcome(host, device, t);
    }

    private sealed record Outcome(LinkEndpoint Host, LinkEndpoint Device, long ElapsedMs);
}
