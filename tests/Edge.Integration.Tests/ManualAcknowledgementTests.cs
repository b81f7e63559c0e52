using Edge.Domain.Devices;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Integration.Tests;

/// <summary>
/// At-least-once delivery with a real mosquitto: the agent acknowledges a message only after handling it, so a PAT
/// request that an agent took but never finished (it stopped mid-request) is delivered again to the restarted agent
/// from its persistent session, and answered.
/// </summary>
public sealed class ManualAcknowledgementTests
{
    private const string DeviceId = "ack-agent";
    private const int Drives = 37;

    [Fact]
    public async Task A_pat_request_the_agent_never_finished_is_delivered_again_after_a_restart()
    {
        await using var broker = new MosquittoBroker();
        await broker.StartAsync();
        using var folder = new TempFolder();
        var responseTopic = EdgeTopics.PatResponse("ack-tester");
        await using var requester = await TopicRecorder.ConnectAsync(broker.Port, responseTopic);
        var spec = PhysicalSystems.Get(AgentInstance.System).CreateDevice(DeviceId, 7).Spec;
        var request = PatFrames.EncodeRequest(new float[Drives * spec.DriveLength], spec.DriveLength);

        var stuck = new StuckDevice(Drives);
        var outbox = folder.Path("outbox.db");
        var port = broker.Port;
        await using (var first = await AgentInstance.StartAsync(port, DeviceId, outbox, configure: s => Use(s, stuck)))
        {
            var topic = EdgeTopics.For(DeviceId, TopicKind.PatRequest);
            await requester.PublishAsync(topic, request, responseTopic, [0xAC]);
            await stuck.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            await first.StopAsync();
        }

        Assert.Empty(requester.On(responseTopic));
        await using var second = await AgentInstance.StartAsync(broker.Port, DeviceId, outbox);
        await Eventually.TrueAsync(() => requester.On(responseTopic).Any(), "the redelivered PAT request answered");

        var reply = requester.On(responseTopic).First();
        Assert.Equal([0xAC], reply.CorrelationData);
        var responses = new float[Drives * spec.OutputSize];
        Assert.Null(PatFrames.DecodeReply(TopicRecorder.Payload(reply), responses, spec.OutputSize));
        Assert.Equal(1, second.Metrics.PatRequests.Value);
    }

    private static void Use(IServiceCollection services, StuckDevice stuck)
    {
        var real = services.Last(d => d.ServiceType == typeof(IPhysicalDevice));
        services.AddSingleton<IPhysicalDevice>(sp => stuck.Around((IPhysicalDevice)real.ImplementationFactory!(sp)));
    }

    /// <summary>
    /// A device that never finishes a batch of <c>stuckAt</c> drives or more (until cancelled): a handler that died.
    /// </summary>
    private sealed class StuckDevice(int stuckAt) : IPhysicalDevice
    {
        private IPhysicalDevice _inner = null!;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LayerSpec Spec => _inner.Spec;

        public string DeviceId => _inner.DeviceId;

        public StuckDevice Around(IPhysicalDevice inner)
        {
            _inner = inner;
            return this;
        }

        public async ValueTask ForwardAsync(
            ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
        {
            if (drives.Length / Spec.DriveLength < stuckAt)
            {
                await _inner.ForwardAsync(drives, responses, cancellationToken);
                return;
            }

            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
