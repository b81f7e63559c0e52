using Edge.Bridge.Firmware;
using Edge.Bridge.Protocol;

namespace Edge.Bridge.Tests;

public sealed class FirmwareTests
{
    [Fact]
    public void Hello_is_answered_with_the_boards_capabilities_and_the_payload_is_negotiated()
    {
        var rig = new Rig();
        rig.Host.Enqueue(new HelloMessage(1, 1, 512, Capabilities.BinnedCapture));
        rig.Run(50);

        var ack = Assert.IsType<HelloAckMessage>(Assert.Single(rig.Host.Received));
        Assert.Equal(1, ack.Version);
        Assert.Equal(12, ack.DacBits);
        Assert.Equal(2, ack.DacChannels);
        Assert.Equal(1024, ack.MaxPayload);
        Assert.Equal(512, rig.Firmware.Link.MaxPayload);
    }

    [Fact]
    public void A_capture_holds_each_code_for_its_samples_and_each_sample_sees_its_own_period()
    {
        var rig = new Rig();
        rig.Hello();
        rig.Host.Enqueue(new PlayAndCaptureMessage(7, 0, 0, 1000, 2, 4, [100, 200, 300, 400]));
        rig.Run(50);

        var result = Assert.IsType<CaptureResultMessage>(rig.Host.Received[^1]);
        Assert.Equal(7, result.CaptureId);
        Assert.Equal(CaptureKind.Binned, result.Kind);
        Assert.Equal([1600, 3200, 4800, 6400], Enumerable.Range(0, 4).Select(i => (int)result.GetValue(i)));

        // Exact timing: code k at start + 2k ms, sample i at start + (i + 1) ms, then the safe code.
        var writes = rig.Board.Writes.Where(w => w.Code is 100 or 200 or 300 or 400).ToList();
        var start = writes[0].Ticks;
        Assert.Equal([0L, 2_000_000, 4_000_000, 6_000_000], writes.Select(w => w.Ticks - start));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => i * 1_000_000L), rig.Board.Reads.Select(r => r - start));
        Assert.Equal(2048, rig.Board.Held(0));
        Assert.Equal(0, rig.Firmware.LateSamples);
    }

    [Fact]
    public void Raw_captures_longer_than_a_payload_arrive_in_slices()
    {
        var rig = new Rig();
        rig.Hello();
        var codes = Enumerable.Range(0, 480).Select(i => (ushort)(i * 8)).ToArray();
        rig.Host.Enqueue(new PlayAndCaptureMessage(3, 0, 0, 100_000, 2, 0, codes));
        rig.Run(200);

        var slices = rig.Host.Received.OfType<CaptureResultMessage>().ToList();
        Assert.True(slices.Count > 1);
        var values = slices.SelectMany(s => Enumerable.Range(0, s.ValueCount).Select(i => s.GetValue(i))).ToArray();
        Assert.Equal(codes.SelectMany(c => new[] { c, c }), values);
    }

    [Theory]
    [InlineData(2, 0, 1000, "channel DAC 2")]
    [InlineData(0, 0, 5_000_000, "above the 1000000 Hz limit")]
    public void Requests_the_board_cannot_execute_are_answered_with_an_error(byte dacChannel, byte adcChannel,
        uint rate, string expected)
    {
        var rig = new Rig();
        rig.Hello();
        rig.Host.Enqueue(new PlayAndCaptureMessage(1, dacChannel, adcChannel, rate, 1, 0, [1, 2]));
        rig.Run(50);

        var error = Assert.IsType<ErrorMessage>(rig.Host.Received[^1]);
        Assert.Equal(BridgeErrorCode.InvalidRequest, error.Code);
        Assert.Contains(expected, error.Text, StringComparison.Ordinal);

        // The error names the link sequence of the request it refuses (the host's last reliable frame), not 0.
        Assert.Equal(rig.Host.Link.LastSentSequence, error.RelatedSequence);
        Assert.NotEqual(0, error.RelatedSequence);
    }

    [Fact]
    public void A_capture_longer_than_the_buffer_is_refused()
    {
        var rig = new Rig(new FirmwareSettings { BufferSamples = 100, SafeCode = 2048 });
        rig.Hello();
        rig.Host.Enqueue(new PlayAndCaptureMessage(1, 0, 0, 1000, 10, 0, new ushort[11]));
        rig.Run(50);

        Assert.Contains("exceed the 100-sample buffer", Assert.IsType<ErrorMessage>(rig.Host.Received[^1]).Text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_hello_without_a_common_version_is_refused()
    {
        var rig = new Rig();
        rig.Host.Enqueue(new HelloMessage(2, 3, 256, Capabilities.None));
        rig.Run(50);

        var error = Assert.IsType<ErrorMessage>(Assert.Single(rig.Host.Received));
        Assert.Equal(BridgeErrorCode.Unsupported, error.Code);
        Assert.Equal(rig.Host.Link.LastSentSequence, error.RelatedSequence);
        Assert.False(rig.Firmware.Negotiated);
    }

    [Fact]
    public void The_watchdog_drives_the_safe_code_when_the_host_falls_silent()
    {
        var rig = new Rig(new FirmwareSettings { WatchdogTimeoutMs = 200, SafeCode = 2048 });
        rig.Hello();
        rig.Host.Enqueue(new SetSafeMessage(SetSafeMessage.AllChannels, 1000));
        rig.Run(20);
        Assert.Equal(1000, rig.Board.Held(1));

        // Simulate an output left high by a capture, then a host that stops talking.
        rig.Board.Write(0, 4000);
        rig.Run(150, hostAlive: false);
        Assert.Equal(4000, rig.Board.Held(0));
        rig.Run(100, hostAlive: false);

        Assert.Equal(1000, rig.Board.Held(0));
        Assert.Equal(1, rig.Firmware.SafeStateEntries);
    }

    [Fact]
    public void Captures_survive_a_lossy_line_in_both_directions()
    {
        var rig = new Rig(faults: new ChannelFaults(Drop: 0.1, Duplicate: 0.05, Reorder: 0.05, Corrupt: 0.1));
        rig.Hello();
        for (ushort id = 0; id < 10; id++)
        {
            rig.Host.Enqueue(new PlayAndCaptureMessage(id, 0, 0, 1000, 1, 2,
                [(ushort)(id * 10), (ushort)(id * 10 + 1)]));
        }

        rig.Run(3000);

        var results = rig.Host.Received.OfType<CaptureResultMessage>().ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (ushort)i), results.Select(r => r.CaptureId));
        Assert.All(results, r => Assert.Equal(r.CaptureId * 10 * 16, r.GetValue(0)));
        Assert.True(rig.Firmware.Link.Retransmissions + rig.Host.Link.Retransmissions > 0);
    }

    [Fact]
    public void A_restarted_host_is_answered_in_a_fresh_session()
    {
        var rig = new Rig();
        rig.Hello();
        rig.Host.Enqueue(new PlayAndCaptureMessage(1, 0, 0, 1000, 1, 1, [5]));
        rig.Run(50);

        var restarted = rig.RestartHost();
        restarted.Enqueue(new HelloMessage(1, 1, 1024, Capabilities.BinnedCapture));
        rig.Run(100);
        restarted.Enqueue(new PlayAndCaptureMessage(2, 0, 0, 1000, 1, 1, [9]));
        rig.Run(100);

        Assert.IsType<HelloAckMessage>(restarted.Received[0]);
        Assert.Equal(9 * 16, Assert.IsType<CaptureResultMessage>(restarted.Received[^1]).GetValue(0));
        Assert.Empty(restarted.Failures);
    }

    /// <summary>Host link and firmware joined by two simulated UART directions, stepped in 1 ms ticks.</summary>
    private sealed class Rig
    {
        private readonly LossyChannel _toDevice;
        private readonly LossyChannel _toHost;
        private readonly ChannelFaults _faults;
        private long _now;
        private int _hostSeed = 100;

        public Rig(FirmwareSettings? settings = null, ChannelFaults? faults = null)
        {
            _faults = faults ?? ChannelFaults.None;
            _toDevice = new LossyChannel(_faults, 1);
            _toHost = new LossyChannel(_faults, 2);
            Board = new LoopbackBoard();
            Firmware = new BridgeFirmware(settings ?? new FirmwareSettings { SafeCode = 2048 }, Board, Board, Board,
                _toHost, 4242);
            Host = NewHost();
        }

        public LoopbackBoard Board { get; }

        public BridgeFirmware Firmware { get; }

        public LinkEndpoint Host { get; private set; }

        public void Hello()
        {
            Host.Enqueue(new HelloMessage(1, 1, 1024, Capabilities.BinnedCapture));
            Run(50);
            Assert.IsType<HelloAckMessage>(Host.Received[0]);
            Host.Link.SetMaxPayload(1024);
        }

        public LinkEndpoint RestartHost()
        {
            Host = NewHost();
            return Host;
        }

        public void Run(int milliseconds, bool hostAlive = true)
        {
            for (var i = 0; i < milliseconds; i++)
            {
                _now++;
                if (hostAlive)
                {
                    Host.Step(_now);
                    _toDevice.DeliverDue(_now, Firmware.Link);
                }

                Firmware.Poll(_now);
                _toHost.DeliverDue(_now, Host.Link);
            }
        }

        private LinkEndpoint NewHost()
            => new(_toDevice,
                new LinkOptions { InitialSequence = (ushort)(_hostSeed++ * 1000), WindowSize = 8, RetryLimit = 20 });
    }
}
