using System.Collections.Concurrent;
using Edge.Agent.Inference;
using Edge.Agent.Messaging;
using Edge.Agent.Tests.Inference;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Edge.Tests.Shared;

namespace Edge.Agent.Tests.Messaging;

/// <summary>
/// The inbound lanes over a real handler, outbox and simulated device: bounded lanes refuse as busy instead of
/// blocking, messages are acknowledged only once handled, PAT is served per requester in turn, in slices, and an
/// oversized PAT request is refused from its header.
/// </summary>
public sealed class InboundLaneTests : IDisposable
{
    private const string DeviceId = "lanes-0001";
    private readonly TempDirectory _folder = new();
    private readonly SqliteOutbox _outbox;
    private readonly AgentMetrics _metrics = new();
    private readonly HeldDevice _device = new(
        PhysicalSystems.Get("electronic").CreateDevice(DeviceId, 3), heldFromDrives: 1);
    private readonly ConcurrentQueue<string> _acked = new();

    public InboundLaneTests() => _outbox = new SqliteOutbox(_folder.File("outbox.db"), 1000, 16 << 20);

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_full_inference_lane_refuses_as_busy_and_acknowledges_only_what_was_handled()
    {
        var inference = new HeldInference();
        await using var lanes = Start(new MqttOptions { InferenceLaneCapacity = 1 }, inference);

        await lanes.DispatchAsync(InferenceRequest(1), Ack("1"));
        await inference.Started.WaitAsync(TestContext.Current.CancellationToken);
        await lanes.DispatchAsync(InferenceRequest(2), Ack("2"));
        await lanes.DispatchAsync(InferenceRequest(3), Ack("3"));

        Assert.Equal(["3"], _acked);
        Assert.Equal(1, _metrics.BusyRefusals.WithLabels("inference").Value);
        var busy = Reply(3);
        Assert.False(busy.Ok);
        Assert.StartsWith("busy:", busy.Error, StringComparison.Ordinal);

        inference.Release.Release(2);
        await Poll.UntilAsync(() => _acked.Count == 3, "both queued requests handled and acknowledged");
        Assert.True(Reply(1).Ok);
        Assert.True(Reply(2).Ok);
        var refusals = _metrics.BusyRefusals.WithLabels("inference").Value;
        SecurityReport.Record(
            "lane-inference-busy",
            "Queue flood: a third inference request while one is served and the lane (capacity 1) is full",
            SecurityReport.TestCommand("Edge.Agent.Tests", nameof(
                A_full_inference_lane_refuses_as_busy_and_acknowledges_only_what_was_handled)),
            "answered 'busy:' at once instead of queueing without bound; queued ones still served",
            $"reply: \"{busy.Error}\"; busy refusals {refusals}; both queued requests answered ok",
            !busy.Ok && refusals == 1 && Reply(1).Ok && Reply(2).Ok);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Pat_requests_are_served_one_per_requester_in_turn()
    {
        var options = new MqttOptions { PatQueuePerRequester = 3, PatLaneCapacity = 8 };
        await using var lanes = Start(options, new HeldInference());

        // Drive counts name the requests in the device's call log. The flood is in the device and has three more
        // waiting before the other requesters arrive; a fourth is over its bound.
        await lanes.DispatchAsync(PatRequest("flood", drives: 1), Ack("flood-1"));
        await _device.WaitEnteredAsync();
        await lanes.DispatchAsync(PatRequest("flood", drives: 2), Ack("flood-2"));
        await lanes.DispatchAsync(PatRequest("flood", drives: 5), Ack("flood-3"));
        await lanes.DispatchAsync(PatRequest("flood", drives: 6), Ack("flood-4"));
        await lanes.DispatchAsync(PatRequest("trainer-b", drives: 3), Ack("b"));
        await lanes.DispatchAsync(PatRequest("trainer-c", drives: 4), Ack("c"));
        await lanes.DispatchAsync(PatRequest("flood", drives: 7), Ack("flood-5"));
        Assert.Equal(["flood-5"], _acked);
        for (var i = 0; i < 6; i++)
        {
            _device.LetOneGo();
            if (i < 5)
            {
                await _device.WaitEnteredAsync();
            }
        }

        await Poll.UntilAsync(() => _acked.Count == 7, "every PAT request answered");
        Assert.Equal([1, 2, 3, 4, 5, 6], _device.Calls);
        var refusals = _metrics.BusyRefusals.WithLabels("pat").Value;
        var refusal = PatRefusal(requester: "flood", drives: 7);
        Assert.Equal(1, refusals);
        Assert.Contains("busy:", refusal, StringComparison.Ordinal);
        SecurityReport.Record(
            "lane-pat-per-requester",
            "PAT flood: one requester queues 5 requests (bound 3 per requester) ahead of two other trainers",
            SecurityReport.TestCommand("Edge.Agent.Tests", nameof(Pat_requests_are_served_one_per_requester_in_turn)),
            "the 5th refused as busy; the others are served one per requester in turn, not flood first",
            $"device order {string.Join(",", _device.Calls)} (drive counts name requests); refusal \"{refusal}\"",
            refusals == 1 && _device.Calls.SequenceEqual([1, 2, 3, 4, 5, 6]));
    }

    [Fact]
    public async Task A_large_pat_request_is_played_in_slices_and_answered_whole()
    {
        _device.LetAllGo();
        await using var lanes = Start(new MqttOptions { PatSliceDrives = 16 }, new HeldInference());

        await lanes.DispatchAsync(PatRequest("trainer", drives: 40), Ack("pat"));

        await Poll.UntilAsync(() => _acked.Count == 1, "the PAT request answered");
        Assert.Equal([16, 16, 8], _device.Calls);
        Assert.Equal(3, _metrics.PatSlices.Value);
        var reply = _outbox.Peek(10).Single(m => m.Topic == EdgeTopics.PatResponse("trainer"));
        var responses = new float[40 * _device.Spec.OutputSize];
        Assert.Null(PatFrames.DecodeReply(reply.Payload, responses, _device.Spec.OutputSize));
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task An_oversized_pat_request_is_refused_from_its_header_without_allocating_its_drives()
    {
        var spec = _device.Spec;
        var drives = (4 << 20) / (4 * spec.DriveLength);
        var request = PatRequest("greedy", drives);
        var handler = Handler(new MqttOptions { MaxPatDrivesPerRequest = 4096 }, new HeldInference());

        var before = GC.GetAllocatedBytesForCurrentThread();
        var handled = handler.HandleAsync(request, TestContext.Current.CancellationToken);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Refused synchronously on this thread, so the allocation count covers all of it.
        Assert.True(handled.IsCompletedSuccessfully);
        await handled;
        Assert.InRange(allocated, 0, 256 << 10);
        Assert.Empty(_device.Calls);
        var refusal = PatRefusal("greedy", drives);
        Assert.Contains($"{drives} drives exceed this agent's limit of 4096", refusal, StringComparison.Ordinal);
        Assert.Equal(1, _metrics.Rejected.WithLabels(nameof(TopicKind.PatRequest)).Value);
        SecurityReport.Record(
            "lane-pat-oversized",
            $"Oversized PAT request: {drives} drives (a 4 MiB frame) against a limit of 4096",
            SecurityReport.TestCommand("Edge.Agent.Tests", nameof(
                An_oversized_pat_request_is_refused_from_its_header_without_allocating_its_drives)),
            "refused from the header, allocating under 256 KiB; the device never runs",
            $"\"{refusal}\"; {allocated:N0} bytes allocated; device calls {_device.Calls.Count}",
            allocated <= 256 << 10 && _device.Calls.Count == 0
                && refusal.Contains("exceed this agent's limit", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _device.Dispose();
        _outbox.Dispose();
        _folder.Dispose();
    }

    private static InboundMessage InferenceRequest(byte correlation) => new(
        EdgeTopics.InferenceRequest(DeviceId),
        ControlJson.Serialize(
            new InferenceRequestMessage { Features = [1f, 2f] }, InferenceJsonContext.Default.InferenceRequestMessage),
        EdgeTopics.InferenceResponse("tester"),
        [correlation]);

    private InboundMessage PatRequest(string requester, int drives)
    {
        var values = new float[drives * _device.Spec.DriveLength];
        return new InboundMessage(
            EdgeTopics.For(DeviceId, TopicKind.PatRequest),
            PatFrames.EncodeRequest(values, _device.Spec.DriveLength),
            EdgeTopics.PatResponse(requester),
            [(byte)drives]);
    }

    private AgentMessageHandler Handler(MqttOptions options, IInferenceRequestHandler inference) => new(
        new DeviceGate(_device),
        _outbox,
        new NoMeasurements(),
        new NoModelStoreOfferHandler(),
        inference,
        _metrics,
        NullLogger.Instance,
        options);

    private InboundDispatcher Start(MqttOptions options, IInferenceRequestHandler inference)
    {
        var lanes = new InboundDispatcher(
            Handler(options, inference), Options.Create(options), _metrics, NullLogger<InboundDispatcher>.Instance);
        lanes.Start();
        return lanes;
    }

    private Func<CancellationToken, Task> Ack(string name) => _ =>
    {
        _acked.Enqueue(name);
        return Task.CompletedTask;
    };

    private InferenceReplyMessage Reply(byte correlation)
    {
        var message = _outbox.Peek(100)
            .Single(m => m.Topic == EdgeTopics.InferenceResponse("tester") && m.CorrelationData![0] == correlation);
        return ControlJson.Parse(message.Payload, InferenceJsonContext.Default.InferenceReplyMessage);
    }

    private string PatRefusal(string requester, int drives)
    {
        var message = _outbox.Peek(100)
            .Single(m => m.Topic == EdgeTopics.PatResponse(requester) && m.CorrelationData![0] == (byte)drives);
        return PatFrames.DecodeReply(message.Payload, [], 1) ?? "(not a refusal)";
    }

    private sealed class NoMeasurements : IMeasurementTap
    {
        public void Observe(ReadOnlySpan<float> drive, ReadOnlySpan<float> response)
        {
        }
    }

    /// <summary>Answers inference requests only as the test releases them; signals when one started.</summary>
    private sealed class HeldInference : IInferenceRequestHandler
    {
        public SemaphoreSlim Started { get; } = new(0);

        public SemaphoreSlim Release { get; } = new(0);

        public async ValueTask<InferenceReplyMessage> HandleAsync(
            InferenceRequestMessage request, CancellationToken cancellationToken)
        {
            Started.Release();
            await Release.WaitAsync(cancellationToken);
            return new InferenceReplyMessage
            {
                DeviceId = DeviceId,
                Ok = true,
                ClassIndex = 0,
                Timestamp = DateTimeOffset.UtcNow,
            };
        }
    }
}
